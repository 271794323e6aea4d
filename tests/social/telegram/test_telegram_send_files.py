"""The agent's attachments on Telegram: one Bot API call per file after the text, by URL
where Telegram fetches it, uploaded (multipart) where it does not; refused or unreachable
files named in the note. Against the Bot API emulator and a local file server."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests
from werkzeug.wrappers import Request, Response

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError
from bridge.social.telegram import uploads
from bridge.social.telegram.adapter import TelegramChannel
from emulators.serving import ServerThread
from emulators.telegram import Fault, TelegramEmulator
from emulators.telegram.spec import DEFAULT_SPEC, load_spec, problems
from tests.conftest import shared_path
from tests.social.serving import running

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

BOT = "7012345678"
TOKEN = f"{BOT}:AAF-files-token"
CHAT = 3527065
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("telegram", BOT, str(CHAT))
DOCX = b"PK\x03\x04 word document " * 100
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FileServer:
    """Serves ``files`` (path -> (content type, bytes)); anything else is a 404."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.requests: list[str] = []
        self._server = ServerThread(self._app)

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._answer(Request(environ))(environ, start_response)

    def _answer(self, request: Request) -> Response:
        self.requests.append(request.path)  # decoded: "/a b.docx"
        found = self.files.get(request.path)
        if found is None:
            return Response("no such file", status=404)
        return Response(found[1], content_type=found[0])

    def url(self, path: str) -> str:
        return self._server.url + path

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()


@pytest.fixture(scope="module")
def file_server() -> Iterator[FileServer]:
    yield from running(FileServer())


@pytest.fixture
def web(file_server: FileServer) -> FileServer:
    file_server.files.clear()
    file_server.requests.clear()
    return file_server


@pytest.fixture
def channel(emu: TelegramEmulator) -> TelegramChannel:
    return TelegramChannel(Settings(TELEGRAM_API_BASE_URL=emu.url, TELEGRAM_BOT_TOKEN=TOKEN,
                                    BRIDGE_HTTP_TIMEOUT=5.0))


def reply(text: str, *urls: str, **extra: Any) -> OutboundMessage:
    return OutboundMessage(THREAD, text, reference="social-bridge-delivery-9",
                           attachment_urls=urls, **extra)


def methods(emu: TelegramEmulator) -> list[str]:
    return [s["method"] for s in emu.state.sent]


def test_text_then_each_file_with_its_method_and_the_docx_uploaded(
    emu: TelegramEmulator, web: FileServer, channel: TelegramChannel
) -> None:
    web.files["/files/Offer v2.docx"] = (DOCX_TYPE, DOCX)
    photo = "https://acme.zendesk.com/attachments/token/abc/?name=photo.jpg"
    pdf = "https://cdn.freshdesk.com/data/helpdesk/attachments/production/1/original/bill.pdf"
    docx = web.url("/files/Offer%20v2.docx")
    result = channel.send(reply("Here are your files.", photo, pdf, docx), None, NOW)
    assert methods(emu) == ["sendMessage", "sendPhoto", "sendDocument", "sendDocument"]
    text, sent_photo, sent_pdf, sent_docx = emu.state.sent
    assert text["text"] == "Here are your files."
    assert sent_photo["file"] == {"field": "photo", "url": photo}
    assert sent_pdf["file"] == {"field": "document", "url": pdf}  # Telegram fetches PDFs
    assert sent_docx["file"] == {"field": "document", "file_name": "Offer v2.docx",
                                 "size": len(DOCX), "content_type": DOCX_TYPE}
    assert web.requests == ["/files/Offer v2.docx"]  # only the docx is downloaded
    assert {s["chat_id"] for s in emu.state.sent} == {CHAT}
    assert result.platform_message_ids == tuple(f"{CHAT}:{s['message_id']}"
                                                for s in emu.state.sent)
    assert result.note is None
    assert channel.sends_attachments is True


def test_a_reply_of_files_only_sends_the_files(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    clip = "https://acme.zendesk.com/attachments/token/v1/?name=unboxing.MP4"
    song = "https://files.example.com/hold-music.m4a"
    sticker = "https://files.example.com/sticker.webp"
    gif = "https://files.example.com/how-to.gif"
    result = channel.send(OutboundMessage(THREAD, "", reference="42",
                                          attachment_urls=(clip, song, sticker, gif)), None, NOW)
    assert methods(emu) == ["sendVideo", "sendAudio", "sendPhoto", "sendDocument"]
    assert [s["file"]["url"] for s in emu.state.sent] == [clip, song, sticker, gif]
    first, *rest = emu.state.sent
    assert first["reply_parameters"] == {"message_id": 42, "allow_sending_without_reply": True}
    assert all(s["reply_parameters"] is None for s in rest)  # only the first message replies
    assert len(result.platform_message_ids) == 4 and result.note is None


def test_buttons_go_under_the_text_not_the_files(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    pdf = "https://files.example.com/terms.pdf"
    channel.send(reply("Accept?", pdf, quick_replies=(("Yes", "Y"), ("No", "N"))), None, NOW)
    text, document = emu.state.sent
    assert "reply_markup" in text["body"] and "reply_markup" not in document["body"]


def test_a_refused_file_is_named_in_the_note_and_the_others_still_go(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_fault(Fault(path="/sendPhoto$", status=400, body={
        "ok": False, "error_code": 400,
        "description": "Bad Request: failed to get HTTP URL content"}))
    photo = "https://acme.zendesk.com/attachments/token/p/?name=huge-photo.png"
    pdf = "https://files.example.com/invoice.pdf"
    result = channel.send(reply("See attached.", photo, pdf), None, NOW)
    assert methods(emu) == ["sendMessage", "sendDocument"]
    assert len(result.platform_message_ids) == 2
    assert result.note == ("attachment not sent: huge-photo.png (Telegram 400: Bad Request: "
                           "failed to get HTTP URL content)")


def test_a_file_that_cannot_be_downloaded_is_named_in_the_note(
    emu: TelegramEmulator, web: FileServer, channel: TelegramChannel
) -> None:
    gone = web.url("/files/contract.docx")  # the server answers 404
    result = channel.send(reply("The contract:", gone), None, NOW)
    assert methods(emu) == ["sendMessage"]
    assert result.note == "attachment not sent: contract.docx (could not be downloaded (HTTP 404))"


def test_an_unreachable_download_is_a_note_too(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    result = channel.send(reply("Notes:", "http://127.0.0.1:9/notes.txt"), None, NOW)
    assert methods(emu) == ["sendMessage"]
    assert result.note is not None and result.note.startswith(
        "attachment not sent: notes.txt (could not be downloaded (ConnectionError")


def test_notes_add_to_the_split_note(emu: TelegramEmulator, web: FileServer,
                                     channel: TelegramChannel) -> None:
    result = channel.send(reply("word " * 1000, web.url("/missing.csv")), None, NOW)
    assert methods(emu) == ["sendMessage", "sendMessage"]
    assert result.note is not None
    assert result.note.startswith("split into 2 messages (Telegram allows 4096 characters each); "
                                  "attachment not sent: missing.csv")


def test_when_nothing_at_all_can_be_sent_the_reply_fails(
    emu: TelegramEmulator, web: FileServer, channel: TelegramChannel
) -> None:
    with pytest.raises(PermanentError, match=r"not sent: attachment not sent: a\.docx"):
        channel.send(reply("", web.url("/a.docx")), None, NOW)
    assert emu.state.sent == []


def test_a_blocked_bot_fails_the_reply_rather_than_noting_each_file(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_chat(CHAT, blocked=True)
    with pytest.raises(PermanentError, match="bot was blocked by the user"):
        channel.send(reply("", "https://files.example.com/a.pdf"), None, NOW)


def test_a_transient_failure_on_a_file_propagates_and_the_retry_sends_the_rest(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_fault(Fault(path="/sendDocument$", status=429, retry_after=2))
    pdf = "https://files.example.com/invoice.pdf"
    photo = "https://files.example.com/p.png"
    emu.state.add_fault(Fault(path="/sendPhoto$", status=400))  # refused: in the note
    message = reply("Your invoice.", photo, pdf)
    with pytest.raises(TransientError, match="2 of 3 parts sent") as caught:
        channel.send(message, None, NOW)
    assert caught.value.retry_after == 2.0
    result = channel.send(message, None, NOW + timedelta(seconds=2))
    assert methods(emu) == ["sendMessage", "sendDocument"]  # the text went once
    assert len(result.platform_message_ids) == 2
    assert result.note == "attachment not sent: p.png (Telegram 400: Bad Request)"


def test_a_transient_failure_before_anything_went_out_is_plain(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_fault(Fault(path="/sendVideo$", status=502))
    with pytest.raises(TransientError, match=r"^Telegram 502") as caught:
        channel.send(reply("", "https://files.example.com/v.mp4"), None, NOW)
    assert "parts sent" not in str(caught.value)


@pytest.mark.parametrize(("url", "method", "upload", "name"), [
    ("https://a.zendesk.com/attachments/token/t/?name=photo.jpg", "sendPhoto", False,
     "photo.jpg"),
    ("https://x.example/p.JPEG", "sendPhoto", False, "p.JPEG"),
    ("https://x.example/s.webp", "sendPhoto", False, "s.webp"),
    ("https://x.example/v.mp4", "sendVideo", False, "v.mp4"),
    ("https://x.example/a.mp3", "sendAudio", False, "a.mp3"),
    ("https://x.example/a.m4a?sig=1", "sendAudio", False, "a.m4a"),
    ("https://x.example/d.zip", "sendDocument", False, "d.zip"),
    ("https://x.example/voice.ogg", "sendDocument", True, "voice.ogg"),
    ("https://x.example/clip.mov", "sendDocument", True, "clip.mov"),
    ("https://a.zendesk.com/attachments/token/t/?name=README.md", "sendDocument", True,
     "README.md"),
    ("https://x.example/download/", "sendDocument", True, "download"),
    ("https://x.example/", "sendDocument", True, "attachment"),
])
def test_the_method_follows_the_file_name(url: str, method: str, upload: bool,
                                          name: str) -> None:
    found = uploads.plan(url)
    assert (found.method, found.upload, found.name) == (method, upload, name)
    assert found.field == {"sendPhoto": "photo", "sendVideo": "video", "sendAudio": "audio",
                           "sendDocument": "document"}[method]


def test_a_download_over_the_limit_is_refused(web: FileServer) -> None:
    web.files["/big.docx"] = (DOCX_TYPE, b"x" * 2000)
    outgoing = uploads.plan(web.url("/big.docx"))
    with pytest.raises(PermanentError, match="larger than 0 MB"):
        uploads.download(outgoing, 5.0, limit=1999)
    assert uploads.download(outgoing, 5.0, limit=2000).data == b"x" * 2000


def test_the_50_mb_limit_holds_without_a_content_length(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    class Streamed:
        status_code = 200
        headers: ClassVar[dict[str, str]] = {}

        def __enter__(self) -> Streamed:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def iter_content(self, size: int) -> Iterator[bytes]:
            while True:  # endless: the reader must stop at the limit
                yield b"\0" * size

    monkeypatch.setattr(requests, "get", lambda *a, **k: Streamed())  # what uploads calls
    with pytest.raises(PermanentError, match="larger than 50 MB"):
        uploads.download(uploads.plan("https://x.example/huge.docx"), 5.0)


# ---- the emulator's file methods --------------------------------------------------------


def call(emu: TelegramEmulator, method: str, **kwargs: Any) -> requests.Response:
    return requests.post(f"{emu.url}/bot{TOKEN}/{method}", timeout=5, **kwargs)


def test_the_emulator_takes_uploads_and_urls_as_the_spec_shapes_them(
    emu: TelegramEmulator
) -> None:
    spec = load_spec(shared_path("specs", DEFAULT_SPEC.name))
    assert spec is not None
    uploaded = call(emu, "sendDocument", data={"chat_id": str(CHAT), "caption": "signed",
                                               "disable_notification": "true"},
                    files={"document": ("form.docx", DOCX, DOCX_TYPE)})
    by_url = call(emu, "sendPhoto", json={"chat_id": CHAT, "photo": "https://x.example/p.png"})
    attached = call(emu, "sendAudio", data={"chat_id": str(CHAT), "audio": "attach://song"},
                    files={"song": ("song.mp3", b"ID3", "audio/mpeg")})
    video = call(emu, "sendVideo", json={"chat_id": CHAT, "video": "https://x.example/v.mp4"})
    for method, answer in (("sendDocument", uploaded), ("sendPhoto", by_url),
                           ("sendAudio", attached), ("sendVideo", video)):
        assert answer.status_code == 200, answer.text
        ok = spec["paths"][f"/{method}"]["post"]["responses"]["200"]
        assert problems(answer.json(), ok["content"]["application/json"]["schema"], spec) == []
    assert uploaded.json()["result"]["document"]["file_name"] == "form.docx"
    assert uploaded.json()["result"]["caption"] == "signed"
    assert [s["file"] for s in emu.state.sent] == [
        {"field": "document", "file_name": "form.docx", "size": len(DOCX),
         "content_type": DOCX_TYPE},
        {"field": "photo", "url": "https://x.example/p.png"},
        {"field": "audio", "file_name": "song.mp3", "size": 3, "content_type": "audio/mpeg"},
        {"field": "video", "url": "https://x.example/v.mp4"},
    ]
    sent = requests.get(f"{emu.url}/_emulator/sent", timeout=5).json()["sent"]
    assert [s["method"] for s in sent] == ["sendDocument", "sendPhoto", "sendAudio", "sendVideo"]


@pytest.mark.parametrize(("method", "kwargs", "status", "description"), [
    ("sendPhoto", {"json": {"chat_id": CHAT}}, 400,
     "Bad Request: there is no photo in the request"),
    ("sendDocument", {"data": {"chat_id": str(CHAT)}, "files": {"other": ("a.txt", b"x")}},
     400, "Bad Request: there is no document in the request"),
    ("sendVideo", {"json": {"video": "https://x.example/v.mp4"}}, 400,
     "Bad Request: chat_id is empty"),
    ("sendDocument", {"json": {"chat_id": CHAT, "document": "https://x.example/a.docx"}}, 400,
     "Bad Request: wrong type of the web page content"),
    ("sendDocument", {"json": {"chat_id": CHAT,
                               "document": "https://z.example/t/?name=a.docx"}}, 400,
     "Bad Request: wrong type of the web page content"),
    ("sendAudio", {"json": {"chat_id": CHAT, "audio": "not-a-file-id"}}, 400,
     "Bad Request: wrong file identifier/HTTP URL specified"),
    ("sendDocument", {"data": {"chat_id": str(CHAT)}, "files": {"document": ("e.txt", b"")}},
     400, "Bad Request: file must be non-empty"),
    ("sendPhoto", {"json": {"chat_id": CHAT, "photo": "https://x.example/p.png",
                            "caption": "c" * 1025}}, 400,
     "Bad Request: caption is longer than 1024 characters"),
    ("sendPhoto", {"json": {"chat_id": 0, "photo": "https://x.example/p.png"}}, 400,
     "Bad Request: chat not found"),
])
def test_the_emulator_refuses_malformed_file_sends_in_telegrams_words(
    emu: TelegramEmulator, method: str, kwargs: dict[str, Any], status: int, description: str
) -> None:
    answer = call(emu, method, **kwargs)
    assert (answer.status_code, answer.json()) == (
        status, {"ok": False, "error_code": status, "description": description})
    assert emu.state.sent == []


def test_the_emulator_takes_a_known_file_id(emu: TelegramEmulator) -> None:
    emu.state.add_file("DOC1", b"%PDF-1.4", "documents/file_1.pdf", "application/pdf")
    answer = call(emu, "sendDocument", json={"chat_id": CHAT, "document": "DOC1"})
    assert answer.status_code == 200
    assert emu.state.sent[0]["file"] == {"field": "document", "file_id": "DOC1", "size": 8}


def test_an_upload_carries_the_reply_and_the_buttons_as_json_form_fields(
    emu: TelegramEmulator, web: FileServer, channel: TelegramChannel
) -> None:
    web.files["/quote.docx"] = (DOCX_TYPE, DOCX)
    message = OutboundMessage(THREAD, "", reference=f"{CHAT}:41", quick_replies=(("OK", "ok"),),
                              attachment_urls=(web.url("/quote.docx"),))
    channel.send(message, None, NOW)
    [sent] = emu.state.sent
    assert sent["file"]["file_name"] == "quote.docx"
    assert sent["reply_parameters"] == {"message_id": 41, "allow_sending_without_reply": True}
    assert sent["body"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
