"""A customer's public comment with its files: each file uploaded first (one call each),
its token then attached to the comment."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from zenpy import Zenpy
from zenpy.lib.api_objects import Comment

from bridge.domain import NewComment, Upload
from bridge.zendesk.client import zenpy_errors, zid

MAX_TOKENS = 256


class UploadTokens:
    """Upload tokens not attached yet, remembered by content: when Zendesk refuses the
    comment (a closed ticket) the follow-up ticket reuses them instead of uploading the
    files again."""

    def __init__(self, zenpy: Zenpy) -> None:
        self._zenpy = zenpy
        self._tokens: dict[tuple[str, str], str] = {}

    def comment(self, comment: NewComment) -> Any:
        """A zenpy ``Comment``, public, by ``comment.author_id``, with the files' tokens."""
        tokens = [self._token(upload) for upload in comment.uploads]
        return Comment(body=comment.body, author_id=zid(comment.author_id), public=True,
                       uploads=tokens or None)

    def forget(self, comment: NewComment) -> None:
        """Attached tokens are spent: a later message with the same file uploads it anew."""
        for upload in comment.uploads:
            self._tokens.pop(_key(upload), None)

    def _token(self, upload: Upload) -> str:
        key = _key(upload)
        if key in self._tokens:
            return self._tokens[key]
        with zenpy_errors():
            token = str(self._zenpy.attachments.upload(
                io.BytesIO(upload.data), target_name=upload.filename,
                content_type=upload.content_type,
            ).token)
        if len(self._tokens) > MAX_TOKENS:
            self._tokens.clear()
        self._tokens[key] = token
        return token


def _key(upload: Upload) -> tuple[str, str]:
    return upload.filename, hashlib.sha256(upload.data).hexdigest()
