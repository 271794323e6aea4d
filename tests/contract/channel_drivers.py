"""Per-channel drivers for the channel contract suite (``test_channel_contract.py``).

A driver holds the few things that differ between channel kinds: which endpoint takes the
webhook and how a body is signed for it, the subscription handshake, where the kind's
fixtures live and how a fixture is decoded, which emulator answers its sends and how a
fault is put on the send path, and the platform's length limit counted as the platform
counts it. Everything else is the contract. Every kind in ``bridge.registry.CHANNELS``
needs one here: the suite fails for a kind without a driver.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from twitter_text import parse_tweet  # type: ignore[import-untyped]

from bridge.domain import ThreadKey
from bridge.social import meta
from bridge.social.telegram.payloads import decode as telegram_decode
from bridge.social.x.payloads import decode as x_decode
from emulators.common.faults import PathFault
from emulators.graph import Fault as GraphFault
from emulators.graph import GraphEmulator
from emulators.graph.errors import graph_error
from emulators.telegram import Fault as TelegramFault
from emulators.telegram import TelegramEmulator
from emulators.whatsapp import WhatsAppEmulator, wa_error
from emulators.x import Fault as XFault
from emulators.x import XEmulator
from tests.conftest import SHARED, shared_path
from tests.social.instagram.test_instagram_fixtures import decoded as instagram_decoded
from tests.web.conftest import APP_SECRET, VERIFY_TOKEN

OWN = Path(__file__).resolve().parents[1] / "fixtures"
PAGE, PAGE_TOKEN = "1234567890", "contract-page-token"
NUMBER, WA_TOKEN, WA_ID = "106540352242922", "contract-wa-token", "15551234567"
BOT = "7012345678"
BOT_TOKEN, TG_SECRET, CHAT = f"{BOT}:contract-bot-token", "contract-tg-secret", "3527065"
X_ACCOUNT, X_SECRET, X_ROOT = "2975699229", "contract-x-consumer-secret", "1205348660982083584"


FAULTS: dict[str, type[PathFault]] = {
    "graph": GraphFault, "whatsapp": GraphFault, "telegram": TelegramFault, "x": XFault}


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def x_weight(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


@dataclass
class Source:
    """A folder of webhook bodies and which of its files belong to a kind."""

    folder: Path
    keep: Callable[[str], bool] = lambda name: True

    def paths(self) -> list[Path]:
        found = sorted(self.folder.glob("*.json")) if self.folder.exists() else []
        return [p for p in found if self.keep(p.name)]


@dataclass
class ChannelDriver:
    kind: str
    endpoint: str
    emulator: str  # graph, whatsapp, telegram, x
    sources: list[Source]
    sample: Path  # a body that stores at least one message of this kind
    fault_path: str  # regex of the send request's path
    limit: int
    measure: Callable[[str], int]
    thread_id: str
    web_env: dict[str, str] = field(default_factory=dict)
    handshake_files: tuple[str, ...] = ()  # fixtures the handshake reads

    def thread(self) -> ThreadKey:
        return ThreadKey(self.kind, self.account_id(), self.thread_id)

    def account_id(self) -> str:
        return {"graph": PAGE, "whatsapp": NUMBER, "telegram": BOT, "x": X_ACCOUNT}[
            self.emulator]

    # ---- webhooks --------------------------------------------------------------------

    def sample_bytes(self) -> bytes:
        if self.sample.is_relative_to(SHARED):
            return shared_path(*self.sample.relative_to(SHARED).parts).read_bytes()
        return self.sample.read_bytes()

    def decode(self, path: Path) -> dict[str, Any]:
        body = path.read_bytes()
        if self.emulator == "telegram":
            return telegram_decode(body)
        if self.emulator == "x":
            return x_decode(body)
        if path.parent == SHARED / "fixtures" / "instagram":
            return instagram_decoded(path.name)  # captures without ``object``: see there
        return meta.decode(body)

    def headers(self, body: bytes, how: str) -> dict[str, str]:
        """``good``, ``bad`` (signed with another secret) or ``missing``."""
        if how == "missing":
            return {}
        if self.emulator == "telegram":
            return {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET if how == "good" else "nope"}
        if self.emulator == "x":
            key = X_SECRET if how == "good" else "another-secret"
            digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
            return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(
                digest).decode()}
        key = APP_SECRET if how == "good" else "another-secret"
        return {"X-Hub-Signature-256": "sha256=" + hmac.new(
            key.encode(), body, hashlib.sha256).hexdigest()}

    # ---- sends -----------------------------------------------------------------------

    def send_env(self, url: str) -> dict[str, str]:
        """Settings that point the kind's adapter at the emulator, with its one account."""
        return {
            "graph": {"META_GRAPH_BASE_URL": url, "META_PAGE_ID": PAGE,
                      "INSTAGRAM_ACCOUNT_ID": PAGE, "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN},
            "whatsapp": {"META_GRAPH_BASE_URL": url, "WHATSAPP_PHONE_NUMBER_ID": NUMBER,
                         "WHATSAPP_ACCESS_TOKEN": WA_TOKEN},
            "telegram": {"TELEGRAM_API_BASE_URL": url, "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                         "TELEGRAM_SECRET_TOKEN": TG_SECRET},
            "x": {"X_API_BASE_URL": url, "X_ACCOUNT_ID": X_ACCOUNT, **x_keys()},
        }[self.emulator]

    def prepare(self, emu: Any, now: datetime) -> datetime:
        """Tell the emulator the customer wrote just now; the time the bridge passes."""
        if self.kind == "whatsapp":
            emu.state.last_customer_message[WA_ID] = now
        if self.kind == "instagram":
            emu.state.instagram_customer(self.thread_id, now)
        return now

    def bad_request_body(self) -> dict[str, Any] | None:
        """A 400 the platform means for good (Graph's default fault body is code 1, which
        Meta documents as worth a retry)."""
        if self.emulator == "graph":
            return graph_error("(#100) Invalid parameter", 100)
        if self.emulator == "whatsapp":
            return wa_error("(#100) Invalid parameter", 100, "Parameter value is not valid")
        return None

    def sent(self, emu: Any) -> list[tuple[str, str]]:
        """(platform id as ``SendResult`` names it, text) of every accepted send, in order."""
        with emu.state.lock:
            records = list(emu.state.sent)
        if self.emulator == "telegram":
            return [(f"{r['chat_id']}:{r['message_id']}", r["text"]) for r in records]
        if self.emulator == "x":
            return [(r["id"], r["text"]) for r in records]
        return [(r["message_id"], r["text"]) for r in records]


def x_keys() -> dict[str, str]:
    from emulators.x.state import XState

    state = XState()
    return {"X_CONSUMER_KEY": state.consumer_key, "X_CONSUMER_SECRET": state.consumer_secret,
            "X_ACCESS_TOKEN": state.access_token,
            "X_ACCESS_TOKEN_SECRET": state.access_token_secret}


def _shared(folder: str, keep: Callable[[str], bool] = lambda name: True) -> Source:
    return Source(SHARED / "fixtures" / folder, keep)


def _own(folder: str, keep: Callable[[str], bool] = lambda name: True) -> Source:
    return Source(OWN / folder, keep)




def _meta(kind: str, **values: Any) -> ChannelDriver:
    """A Graph channel: ``/webhooks/meta``, the Graph emulator."""
    return ChannelDriver(kind=kind, endpoint="/webhooks/meta", emulator="graph", **values)

_IG_COMMENT_CAPTURES = ("comments_change_dashboard_sample.json",
                        "story_insights_event_dashboard_sample.json")

DRIVERS: dict[str, ChannelDriver] = {d.kind: d for d in (
    _meta(
        "messenger", sample=SHARED / "fixtures/meta_messenger/text_message.json",
        sources=[_shared("meta_messenger"), _own("facebook_feed", lambda n: "messaging" in n)],
        fault_path=rf"/{PAGE}/messages$", limit=2000, measure=utf16_units, thread_id="5678"),
    _meta(
        "facebook_comment", sample=OWN / "facebook_feed/comment_add.json",
        sources=[_own("facebook_feed")], web_env={"META_PAGE_ID": "101234567890123"},
        fault_path=r"/comments$", limit=8000, measure=utf16_units,
        thread_id="512345678901234_987654321098765"),
    _meta(
        "instagram", sample=SHARED / "fixtures/instagram/dm_text_message.json",
        sources=[_shared("instagram", lambda n: n.startswith("dm_"))],
        fault_path=r"/me/messages$", limit=1000, measure=utf8_bytes, thread_id="5678"),
    _meta(
        "instagram_comment", sample=OWN / "instagram_comments/comment.json",
        sources=[_own("instagram_comments"),
                 _shared("instagram", lambda n: n in _IG_COMMENT_CAPTURES)],
        fault_path=r"/replies$", limit=2200, measure=utf16_units,
        thread_id="17890000000000001"),
    ChannelDriver(
        kind="whatsapp", endpoint="/webhooks/meta", emulator="whatsapp",
        sample=SHARED / "fixtures/whatsapp/text_message.json", sources=[_shared("whatsapp")],
        fault_path=rf"/{NUMBER}/messages$", limit=4096, measure=len, thread_id=WA_ID),
    ChannelDriver(
        kind="telegram", endpoint="/webhooks/telegram", emulator="telegram",
        sample=SHARED / "fixtures/telegram/private_text.json", sources=[_shared("telegram")],
        web_env={"TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_SECRET_TOKEN": TG_SECRET},
        fault_path=r"/sendMessage$", limit=4096, measure=utf16_units, thread_id=CHAT),
    ChannelDriver(
        kind="x", endpoint="/webhooks/x", emulator="x",
        sample=SHARED / "fixtures/x_twitter/dm_incoming_text.json",
        sources=[_shared("x_twitter"), _own("x", lambda n: not n.startswith("crc_"))],
        web_env={"X_CONSUMER_SECRET": X_SECRET}, handshake_files=(
            "crc_request.json", "crc_response.json"),
        fault_path=r"^/2/tweets$", limit=280, measure=x_weight, thread_id=f"tweet:{X_ROOT}"),
)}


class Emulators:
    """One emulator of each kind, started on first use, stopped by ``stop``."""

    def __init__(self) -> None:
        self._running: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._running:
            emu = _new_emulator(name)
            emu.start()
            self._running[name] = emu
        emu = self._running[name]
        emu.state.reset()
        return emu

    def stop(self) -> None:
        for emu in self._running.values():
            emu.stop()


def _new_emulator(name: str) -> Any:
    if name == "graph":
        return GraphEmulator(page_id=PAGE, access_token=PAGE_TOKEN)
    if name == "whatsapp":
        return WhatsAppEmulator(phone_number_id=NUMBER, access_token=WA_TOKEN)
    if name == "telegram":
        return TelegramEmulator(token=BOT_TOKEN)
    return XEmulator(account_id=X_ACCOUNT)


def fault(emu: Any, driver: ChannelDriver, status: int | None, *,
          retry_after: float | None = None, delay: float | None = None,
          body: dict[str, Any] | None = None) -> None:
    """The next request on the driver's send path misbehaves (``emulators.common.faults``:
    ``delay`` seconds first, then ``status`` with ``body`` or the platform's own error)."""
    emu.state.add_fault(FAULTS[driver.emulator](
        path=driver.fault_path, status=status, retry_after=retry_after, delay=delay, body=body))


def tokens(texts: list[str]) -> list[str]:
    """The numbered words (``w0001``...) in the order the parts carry them."""
    return re.findall(r"w\d{4}", "".join(texts))


def numbered_text(driver: ChannelDriver, times: float = 2.5) -> str:
    """Words ``w0000 ü…`` until the text is ``times`` the platform's limit; a few
    multi-byte characters, so byte and UTF-16 limits differ from characters."""
    words: list[str] = []
    while driver.measure(" ".join(words)) <= driver.limit * times:
        words.append(f"w{len(words):04d}{'ü' if len(words) % 3 else ''}")
    return " ".join(words)


@dataclass(frozen=True)
class Handshake:
    """A subscription check: the GET that must be answered ``answer`` (text or JSON), and
    one that must be refused with ``refused_status``."""

    env: dict[str, str]
    query: dict[str, str]
    answer: str | dict[str, Any]
    refused_query: dict[str, str]
    refused_status: int


def handshake(driver: ChannelDriver) -> Handshake | None:
    """Meta's ``hub.challenge`` and X's CRC (from X's documented example); Telegram has
    none (``setWebhook`` is a call the operator makes; the secret header is checked on
    every update instead)."""
    if driver.endpoint == "/webhooks/meta":
        good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444"}
        return Handshake({}, good, "1158201444", {**good, "hub.verify_token": "wrong"}, 403)
    if driver.endpoint == "/webhooks/x":
        request = json.loads((OWN / "x" / "crc_request.json").read_text())
        answer = json.loads((OWN / "x" / "crc_response.json").read_text())
        return Handshake({"X_CONSUMER_SECRET": request["consumer_secret"]}, request["query"],
                         answer, {}, 400)
    return None
