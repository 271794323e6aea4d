"""What the Telegram emulator remembers: the bot, chats, sent messages, files, faults."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emulators.common.faults import PathFault, PathFaultQueue, path_fault_fields
from emulators.telegram.spec import DEFAULT_SPEC, Problem, load_spec, problems, request_schema

JSON = dict[str, Any]

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # bots may download files of up to 20 MB
UPLOAD_LIMIT = 50 * 1024 * 1024  # and upload files of up to 50 MB (multipart/form-data)
FIRST_MESSAGE_ID = 1000
_DESCRIPTIONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def api_error(status: int, description: str | None = None, **parameters: Any) -> JSON:
    """An ``Error`` as the Bot API writes it."""
    body: JSON = {"ok": False, "error_code": status,
                  "description": description or _DESCRIPTIONS.get(status, "Error")}
    if parameters:
        body["parameters"] = parameters
    return body


def default_fault_body(status: int, retry_after: float | None) -> JSON:
    """What Telegram says for a status when a fault gives no body of its own."""
    if status == 429:
        seconds = round(retry_after) if retry_after is not None else 5
        return api_error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
    return api_error(status)


@dataclass
class Fault(PathFault):
    """The next ``count`` requests whose path matches ``path`` (a regex), after ``skip``
    matching ones went through, misbehave: ``delay`` seconds pass first; then, with a
    ``status``, the answer is that status with ``body`` (default: Telegram's error for it,
    with ``parameters.retry_after`` for 429)."""


def fault_from_json(data: JSON) -> Fault:
    """``{"path": regex, "status", "count", "retry_after", "delay", "body", "skip"}``."""
    return Fault(**path_fault_fields(data))


@dataclass
class StoredFile:
    file_path: str
    data: bytes
    content_type: str = "application/octet-stream"
    size: int | None = None  # declared size, to test the 20 MB limit without 20 MB

    @property
    def file_size(self) -> int:
        return self.size if self.size is not None else len(self.data)


@dataclass(frozen=True)
class SentFile:
    """The file of a sendPhoto/sendVideo/sendAudio/sendDocument: by ``url`` (or a known
    ``file_id``), or uploaded (``file_name``, ``size``, ``content_type``)."""

    field: str  # "photo", "video", "audio" or "document"
    url: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    size: int | None = None
    content_type: str | None = None

    def as_json(self) -> JSON:
        return {"field": self.field, **{key: value for key, value in (
            ("url", self.url), ("file_id", self.file_id), ("file_name", self.file_name),
            ("size", self.size), ("content_type", self.content_type)) if value is not None}}

    def as_message_field(self) -> Any:
        """What the sent ``Message`` carries under ``field`` (a ``PhotoSize`` list for a
        photo; ``Video``, ``Audio`` or ``Document`` otherwise)."""
        source = self.file_id or self.url or f"{self.file_name}:{self.size}"
        file_id = "emu-" + hashlib.sha256(source.encode()).hexdigest()[:24]
        found: JSON = {"file_id": file_id, "file_unique_id": file_id[4:20]}
        if self.size is not None:
            found["file_size"] = self.size
        if self.field == "photo":
            return [{**found, "width": 1280, "height": 960}]
        if self.file_name:
            found["file_name"] = self.file_name
        if self.content_type:
            found["mime_type"] = self.content_type
        if self.field == "video":
            found.update(width=1280, height=720, duration=1)
        if self.field == "audio":
            found["duration"] = 1
        return found


@dataclass
class EmulatedChat:
    id: int
    type: str
    username: str | None = None
    first_name: str | None = None
    title: str | None = None
    blocked: bool = False
    messages: set[int] = field(default_factory=set)

    def as_json(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        for key in ("username", "first_name", "title"):
            if getattr(self, key):
                chat[key] = getattr(self, key)
        if self.type != "private" and "title" not in chat:
            chat["title"] = f"Group {self.id}"
        return chat


@dataclass
class TelegramState(PathFaultQueue[Fault]):
    """One bot, its token, and everything the emulator saw or was told."""

    token: str
    bot_name: str = "Support Bot"
    bot_username: str = "support_bridge_bot"
    spec_path: Path | None = DEFAULT_SPEC  # None: no schema validation
    clock: Callable[[], datetime] = utc_now
    strict_chats: bool = False  # unknown chats are "chat not found" (else made on first use)
    chats: dict[int, EmulatedChat] = field(default_factory=dict)
    sent: list[JSON] = field(default_factory=list)
    answered: list[JSON] = field(default_factory=list)  # answerCallbackQuery calls
    files: dict[str, StoredFile] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # More bots' tokens, beyond ``token``: each sent record names the ``bot_token`` used.
    tokens: set[str] = field(default_factory=set)

    @property
    def bot_id(self) -> int:
        prefix = self.token.partition(":")[0]
        return int(prefix) if prefix.isdigit() else 1

    def known_token(self, token: str) -> bool:
        return token == self.token or token in self.tokens

    @property
    def validating(self) -> bool:
        return self.spec_path is not None and load_spec(self.spec_path) is not None

    def reset(self) -> None:
        with self.lock:
            self.chats.clear()
            self.sent.clear()
            self.answered.clear()
            self.files.clear()
            self.faults.clear()
            self.strict_chats = False

    def user(self) -> JSON:
        """The bot as a ``User`` in a message's ``from``."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name,
                "username": self.bot_username}

    def me(self) -> JSON:
        """``getMe``: the bot as a ``User``, with the fields only ``getMe`` returns."""
        return {**self.user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    def schema_problems(self, method: str, body: JSON) -> list[Problem]:
        """The body against the spec's JSON schema for ``method``; [] without the spec."""
        spec = load_spec(self.spec_path) if self.spec_path is not None else None
        schema = request_schema(spec, method) if spec is not None else None
        if spec is None or schema is None:
            return []
        return problems(body, schema, spec)

    def chat(self, chat_id: int | str) -> EmulatedChat | None:
        """The chat a ``chat_id`` names (an id or ``@username``), made on first use unless
        chats are strict (only numeric ids are made)."""
        with self.lock:
            if isinstance(chat_id, str) and chat_id.startswith("@"):
                return next((c for c in self.chats.values()
                             if c.username and "@" + c.username == chat_id), None)
            number = int(chat_id)
            if number not in self.chats and not self.strict_chats and number != 0:
                self.chats[number] = EmulatedChat(number, "private" if number > 0 else "supergroup")
            return self.chats.get(number)

    def add_chat(self, chat_id: int, **values: Any) -> EmulatedChat:
        kind = values.pop("type", None) or ("private" if chat_id > 0 else "supergroup")
        messages = {int(m) for m in values.pop("messages", ())}
        with self.lock:
            chat = self.chats.get(chat_id) or EmulatedChat(chat_id, kind)
            chat.type = kind
            chat.messages |= messages
            for key in ("username", "first_name", "title", "blocked"):
                if key in values:
                    setattr(chat, key, values[key])
            self.chats[chat_id] = chat
        return chat

    def record_send(self, chat: EmulatedChat, body: JSON, reply_to: int | None,
                    token: str | None = None) -> JSON:
        """Store a sent text (with the bot token it came with); the ``Message`` Telegram
        answers with."""
        return self._record(chat, "sendMessage", body, reply_to, token,
                            {"text": body.get("text")})

    def record_file(self, chat: EmulatedChat, method: str, body: JSON, sent: SentFile,
                    reply_to: int | None, token: str | None = None) -> JSON:
        """Store a sent photo, video, audio or document: the record's ``file`` says how it
        came (``url``, or the uploaded ``file_name``, ``size`` and ``content_type``)."""
        content: JSON = {sent.field: sent.as_message_field()}
        if isinstance(body.get("caption"), str) and body["caption"]:
            content["caption"] = body["caption"]
        return self._record(chat, method, body, reply_to, token, content, sent.as_json())

    def _record(self, chat: EmulatedChat, method: str, body: JSON, reply_to: int | None,
                token: str | None, content: JSON, sent_file: JSON | None = None) -> JSON:
        with self.lock:
            message_id = max(chat.messages, default=FIRST_MESSAGE_ID - 1) + 1
            chat.messages.add(message_id)
            at = self.clock()
            self.sent.append({
                "method": method, "chat_id": chat.id, "text": body.get("text"),
                "message_id": message_id, "reply_parameters": body.get("reply_parameters"),
                "body": body, "file": sent_file, "at": at,
                "bot_token": self.token if token is None else token,
            })
        message: JSON = {"message_id": message_id, "from": self.user(), "chat": chat.as_json(),
                         "date": int(at.timestamp()), **content}
        if reply_to is not None and reply_to in chat.messages:
            message["reply_to_message"] = {"message_id": reply_to, "chat": chat.as_json(),
                                           "date": int(at.timestamp())}
        return message

    def add_file(self, file_id: str, data: bytes, file_path: str | None = None,
                 content_type: str = "application/octet-stream", size: int | None = None) -> str:
        """Make ``file_id`` known to ``getFile``; returns its ``file_path``."""
        path = file_path or f"documents/file_{len(self.files)}.bin"
        with self.lock:
            self.files[file_id] = StoredFile(path, data, content_type, size)
        return path

    def file_by_path(self, file_path: str) -> StoredFile | None:
        with self.lock:
            return next((f for f in self.files.values() if f.file_path == file_path), None)


def file_object(file_id: str, stored: StoredFile) -> JSON:
    """A ``File`` (``file_unique_id`` is stable per file, as Telegram's is)."""
    unique = hashlib.sha256(file_id.encode()).hexdigest()[:16]
    return {"file_id": file_id, "file_unique_id": unique, "file_size": stored.file_size,
            "file_path": stored.file_path}
