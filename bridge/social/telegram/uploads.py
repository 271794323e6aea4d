"""How an agent's attachment goes out on Telegram: which Bot API method, and whether
Telegram fetches it by URL or the bridge uploads it.

Vendor quirks (Bot API, "Sending files"):

- Given an HTTP URL, Telegram downloads the file itself: photos up to 5 MB, other files up
  to 20 MB. Bigger ones are refused (a 400), which the reply's note reports.
- ``sendDocument`` by URL only works for GIF, PDF and ZIP files. Any other document must be
  uploaded as multipart/form-data, up to 50 MB (the Bot API upload limit): the bridge
  downloads it first and posts it under its own file name.
- The method is chosen from the file name (Zendesk puts it in ``?name=``), see
  ``bridge.social.files``: jpeg/png/webp are photos, mp4 a video, mp3/m4a audio (the only
  formats ``sendAudio`` plays), everything else a document.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

import requests

from bridge.errors import PermanentError
from bridge.social import files

UPLOAD_LIMIT = 50 * 1024 * 1024  # bytes a bot may upload with multipart/form-data
_CHUNK = 64 * 1024

_METHODS = {
    "jpg": ("sendPhoto", "photo"), "jpeg": ("sendPhoto", "photo"),
    "png": ("sendPhoto", "photo"), "webp": ("sendPhoto", "photo"),
    "mp4": ("sendVideo", "video"),
    "mp3": ("sendAudio", "audio"), "m4a": ("sendAudio", "audio"),
}
_DOCUMENTS_BY_URL = frozenset({"gif", "pdf", "zip"})


@dataclass(frozen=True)
class Outgoing:
    """One attachment's send: ``method`` with the file under ``field``; ``upload`` says it
    is downloaded and posted as multipart rather than passed as a URL."""

    url: str
    name: str
    method: str
    field: str
    upload: bool


@dataclass(frozen=True)
class Upload:
    """A downloaded file, ready for a multipart/form-data part."""

    field: str
    name: str
    data: bytes
    content_type: str


def plan(url: str) -> Outgoing:
    """How ``url`` is sent, judged by its file name."""
    name = files.file_name(url) or "attachment"
    extension = files.extension(url)
    method, field = _METHODS.get(extension, ("sendDocument", "document"))
    upload = method == "sendDocument" and extension not in _DOCUMENTS_BY_URL
    return Outgoing(url, name, method, field, upload)


def download(outgoing: Outgoing, timeout: float, limit: int = UPLOAD_LIMIT) -> Upload:
    """The file behind ``outgoing.url``, read in chunks up to ``limit`` bytes.

    Raises ``PermanentError`` when it cannot be had (any HTTP or network failure, or a file
    over the limit): the file is then named in the reply's note, never retried.
    """
    try:
        with requests.get(outgoing.url, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise PermanentError(f"could not be downloaded (HTTP {response.status_code})")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise PermanentError(_too_big(limit))
            data = _read(response, limit)
            content_type = response.headers.get("Content-Type", "")
    except requests.RequestException as exc:
        raise PermanentError(f"could not be downloaded ({type(exc).__name__})") from None
    guessed = mimetypes.guess_type(outgoing.name)[0]
    return Upload(outgoing.field, outgoing.name, data,
                  content_type or guessed or "application/octet-stream")


def _read(response: requests.Response, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` (a missing or false
    Content-Length does not let a huge file into memory)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise PermanentError(_too_big(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(limit: int) -> str:
    return f"larger than {limit // (1024 * 1024)} MB, the most a bot may upload"
