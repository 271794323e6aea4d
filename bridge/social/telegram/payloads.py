"""Typed models of the Telegram Bot API webhook body (an ``Update``) and API answers.

Tolerant by design: unknown fields are kept (``extra="allow"``) and only the fields the
bridge reads are modelled, because Telegram adds fields and update kinds with every Bot API
release. Ids are integers of up to 52 bits (Python ints hold them exactly). Old captures lack
``file_unique_id``, so it is optional here although the current spec requires it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bridge.errors import PayloadError
from bridge.social.json_body import decode_object

# The update kinds of Bot API 8.1 (``Update`` in the spec), in the spec's order.
UPDATE_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class User(_Model):
    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None


class Chat(_Model):
    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class FileRef(_Model):
    """What every file-carrying object shares (Document, Video, Voice, Audio, Sticker...)."""

    file_id: str
    file_unique_id: str | None = None
    file_size: int | None = None
    file_name: str | None = None
    mime_type: str | None = None


class PhotoSize(FileRef):
    width: int = 0
    height: int = 0


class Audio(FileRef):
    title: str | None = None
    performer: str | None = None


class Sticker(FileRef):
    emoji: str | None = None
    is_animated: bool = False
    is_video: bool = False


class Location(_Model):
    latitude: float
    longitude: float
    live_period: int | None = None


class Venue(_Model):
    location: Location
    title: str = ""
    address: str = ""


class Contact(_Model):
    phone_number: str = ""
    first_name: str = ""
    last_name: str | None = None
    user_id: int | None = None


class Message(_Model):
    """A message, edited message or channel post; which content key is set says its kind."""

    message_id: int
    date: int
    chat: Chat
    from_: User | None = Field(default=None, alias="from")
    sender_chat: Chat | None = None
    edit_date: int | None = None
    is_automatic_forward: bool = False
    text: str | None = None
    caption: str | None = None
    photo: list[PhotoSize] = Field(default_factory=list)
    document: FileRef | None = None
    animation: FileRef | None = None
    video: FileRef | None = None
    video_note: FileRef | None = None
    voice: FileRef | None = None
    audio: Audio | None = None
    sticker: Sticker | None = None
    location: Location | None = None
    venue: Venue | None = None
    contact: Contact | None = None

    def keys(self) -> set[str]:
        """Names of the fields present in the update, modelled or not."""
        present = {self._wire(name) for name in self.model_fields_set}
        return present | set(self.model_extra or {})

    @staticmethod
    def _wire(name: str) -> str:
        return "from" if name == "from_" else name


class CallbackQuery(_Model):
    """A tap on an inline keyboard button: ``data`` is the button's ``callback_data``;
    ``message`` is the bot's message the keyboard was under (``date`` 0 when it is no
    longer accessible). No date of its own."""

    id: str
    from_: User = Field(alias="from")
    message: Message | None = None
    data: str | None = None
    game_short_name: str | None = None


class Update(_Model):
    update_id: int
    message: Message | None = None
    edited_message: Message | None = None
    callback_query: CallbackQuery | None = None

    def kinds(self) -> list[str]:
        """The update kinds present (the spec allows at most one)."""
        present = self.model_fields_set | set(self.model_extra or {})
        return [kind for kind in UPDATE_KINDS if kind in present]

    def other_keys(self) -> list[str]:
        """Top-level keys that are neither ``update_id`` nor a known kind (newer kinds, or
        routing parameters some relays add)."""
        present = self.model_fields_set | set(self.model_extra or {})
        return sorted(present - {"update_id", *UPDATE_KINDS})


class ResponseParameters(_Model):
    migrate_to_chat_id: int | None = None
    retry_after: float | None = None


class ApiAnswer(_Model):
    """Every Bot API answer: ``{"ok": true, "result": ...}`` or an ``Error``."""

    ok: bool = False
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    parameters: ResponseParameters | None = None


def decode(body: bytes) -> dict[str, Any]:
    """The webhook body as a JSON object carrying an integer ``update_id``."""
    data = decode_object(body)
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise PayloadError("body has no integer 'update_id'")
    return data
