"""Several accounts per platform, from the TOML file named by ``BRIDGE_CONFIG``: each
account's threads are answered with that account's credentials only.

Two pages, two Instagram accounts, two WhatsApp numbers, two Telegram bots and two X
accounts; the emulators know all of them and record which token, page, number or bot each
request came with. The adapters are the registry's (the process's settings). Webhooks
addressed to an account we do not have are ignored (``account:unknown``); Telegram's
secret header says which bot an update was sent to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bridge import clock, registry
from bridge.domain import InboundMessage, OutboundMessage, Sender, SendResult, ThreadKey
from bridge.errors import PermanentError
from bridge.metrics import EVENTS_IGNORED
from bridge.social.facebook_comment.adapter import FacebookCommentChannel
from bridge.social.instagram_comment.adapter import InstagramCommentChannel
from bridge.social.telegram.adapter import TelegramChannel
from bridge.social.whatsapp.adapter import WhatsAppChannel
from emulators.graph import GraphEmulator
from emulators.telegram import TelegramEmulator
from emulators.whatsapp import WhatsAppEmulator
from emulators.x import XEmulator
from emulators.zendesk import ZendeskEmulator
from tests.conftest import apply_env, shared_path
from tests.integration.conftest import ZD_EMAIL, ZD_TOKEN, World, world_lifecycle
from tests.web.conftest import APP_SECRET, Web, build_web, inbox_rows, meta_signature
from tests.web.conftest import unused_port as unused_port  # the fixture, for build_web

PAGES = {"101000000000001": "page-token-one", "101000000000002": "page-token-two"}
IG = {"17841400000000001": "ig-token-one", "17841400000000002": "ig-token-two"}
NUMBERS = {"106540000000001": "wa-token-one", "106540000000002": "wa-token-two"}
BOTS = {"7000000001": "7000000001:bot-one", "7000000002": "7000000002:bot-two"}
BOT_SECRETS = {"7000000001": "secret-one", "7000000002": "secret-two"}
X_ACCOUNTS = {"2975699001": ("x-token-one", "x-secret-one"),
              "2975699002": ("x-token-two", "x-secret-two")}
X_APP = ("consumer-key", "consumer-secret")  # one app, two accounts
STRANGER = "999000000000009"  # an account of no one's configuration
CUSTOMER = {"messenger": "5678", "facebook_comment": "512345678901234_987654321098765",
            "instagram": "6789", "instagram_comment": "17890000000000001",
            "whatsapp": "15551230000", "telegram": "3527065", "x": "dm:1205290247124217856"}


def toml_text() -> str:
    lines: list[str] = []
    for page, token in PAGES.items():
        lines += ["[[accounts.messenger]]", f'id = "{page}"', f'access_token = "{token}"']
    for account, token in IG.items():
        lines += ["[[accounts.instagram]]", f'id = "{account}"', f'access_token = "{token}"']
    for number, token in NUMBERS.items():
        lines += ["[[accounts.whatsapp]]", f'id = "{number}"', f'access_token = "{token}"']
    lines += ['template_name = "reopen_two"', 'template_language = "es_ES"']  # the second's
    for bot, token in BOTS.items():
        lines += ["[[accounts.telegram]]", f'bot_token = "{token}"',
                  f'secret_token = "{BOT_SECRETS[bot]}"']
    for account, (token, secret) in X_ACCOUNTS.items():
        lines += ["[[accounts.x]]", f'id = "{account}"', f'consumer_key = "{X_APP[0]}"',
                  f'consumer_secret = "{X_APP[1]}"', f'access_token = "{token}"',
                  f'access_token_secret = "{secret}"']
    return "\n".join(lines) + "\n"


@dataclass
class Vendors:
    graph: GraphEmulator
    whatsapp: WhatsAppEmulator
    telegram: TelegramEmulator
    x: XEmulator

    def reset(self) -> None:
        for emu in (self.graph, self.whatsapp, self.telegram, self.x):
            emu.state.reset()

    def sent(self, kind: str) -> list[tuple[str, str]]:
        """(account, credential) of every accepted send of a kind's emulator, in order."""
        if kind == "whatsapp":
            return [(r["phone_number_id"], r["access_token"]) for r in self.whatsapp.state.sent]
        if kind == "telegram":
            return [(r["bot_token"].split(":")[0], r["bot_token"])
                    for r in self.telegram.state.sent]
        if kind == "x":
            return [(r["account_id"], r["access_token"]) for r in self.x.state.sent]
        return [(r["page_id"], r["access_token"]) for r in self.graph.state.sent]


@pytest.fixture(scope="module")
def vendors() -> Iterator[Vendors]:
    (page, token), *more = PAGES.items()
    graph = GraphEmulator(page_id=page, access_token=token, pages={**dict(more), **IG})
    (number, wa_token), *numbers = NUMBERS.items()
    whatsapp = WhatsAppEmulator(phone_number_id=number, access_token=wa_token,
                                numbers=dict(numbers))
    whatsapp.state.templates |= {("reopen_two", "es_ES"), ("hello_world", "en_US")}
    telegram = TelegramEmulator(token=BOTS["7000000001"])
    telegram.state.tokens.add(BOTS["7000000002"])
    (x_one, (x_token, x_secret)), (x_two, (x_token2, x_secret2)) = X_ACCOUNTS.items()
    x = XEmulator(account_id=x_one, access_token=x_token, access_token_secret=x_secret,
                  consumer_key=X_APP[0], consumer_secret=X_APP[1],
                  accounts={x_token2: (x_secret2, x_two)})
    running = Vendors(graph, whatsapp, telegram, x)
    for emu in (graph, whatsapp, telegram, x):
        emu.start()
    yield running
    for emu in (graph, whatsapp, telegram, x):
        emu.stop()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(toml_text(), encoding="utf-8")
    return path


def settings(vendors: Vendors, config_file: Path, kind: str) -> dict[str, str]:
    """Only app-level settings in the environment: every account is in the TOML file.
    Graph and WhatsApp share ``META_GRAPH_BASE_URL``, so it names the kind's emulator."""
    graph = vendors.whatsapp if kind == "whatsapp" else vendors.graph
    return {"BRIDGE_CONFIG": str(config_file), "META_APP_SECRET": APP_SECRET,
            "META_GRAPH_BASE_URL": graph.url, "TELEGRAM_API_BASE_URL": vendors.telegram.url,
            "X_API_BASE_URL": vendors.x.url, "X_CONSUMER_SECRET": X_APP[1],
            "WHATSAPP_TEMPLATE_NAME": "hello_world", "BRIDGE_HTTP_TIMEOUT": "5"}


Use = Callable[[str], Vendors]


@pytest.fixture
def bridge(env: pytest.MonkeyPatch, sqlite_url: str, vendors: Vendors,
           config_file: Path) -> Use:
    """``use(kind)``: the environment for that kind's adapter, emulators reset."""
    vendors.reset()

    def use(kind: str) -> Vendors:
        apply_env(env, DATABASE_URL=sqlite_url, **settings(vendors, config_file, kind))
        return vendors

    return use


ACCOUNTS = {"messenger": list(PAGES), "facebook_comment": list(PAGES),
            "instagram": list(IG), "instagram_comment": list(IG),
            "whatsapp": list(NUMBERS), "telegram": list(BOTS), "x": list(X_ACCOUNTS)}
TOKENS = {**PAGES, **IG, **NUMBERS, **BOTS, **{a: t for a, (t, _) in X_ACCOUNTS.items()}}


def reply(vendors: Vendors, kind: str, account: str, text: str) -> SendResult:
    thread = ThreadKey(kind, account, CUSTOMER[kind])
    now = clock.now()
    vendors.whatsapp.state.last_customer_message[CUSTOMER["whatsapp"]] = now
    if kind == "instagram":
        vendors.graph.state.instagram_customer(CUSTOMER[kind], now)
    return registry.channel(kind).send(OutboundMessage(thread, text), now, now)


# ---- replies ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ACCOUNTS))
def test_each_accounts_reply_goes_with_its_own_credentials(kind: str, bridge: Use) -> None:
    vendors = bridge(kind)
    second, first = ACCOUNTS[kind][1], ACCOUNTS[kind][0]
    reply(vendors, kind, second, "From the second account")
    reply(vendors, kind, first, "From the first account")
    assert vendors.sent(kind) == [(second, TOKENS[second]), (first, TOKENS[first])]


@pytest.mark.parametrize("kind", sorted(ACCOUNTS))
def test_a_thread_of_an_account_we_do_not_have_is_never_sent(kind: str, bridge: Use) -> None:
    vendors = bridge(kind)
    account = "7000000009" if kind == "telegram" else STRANGER
    platform = {"facebook_comment": "messenger", "instagram_comment": "instagram"}.get(kind,
                                                                                       kind)
    with pytest.raises(PermanentError) as raised:
        reply(vendors, kind, account, "Whose reply is this?")
    assert str(raised.value) == (f"no credentials for {kind} account {account}: add it to "
                                 f"[[accounts.{platform}]] in BRIDGE_CONFIG")
    assert vendors.sent(kind) == []


@pytest.mark.parametrize("kind", ["facebook_comment", "instagram_comment"])
def test_a_private_reply_goes_with_the_comments_account(kind: str, bridge: Use) -> None:
    vendors = bridge(kind)
    second = ACCOUNTS[kind][1]
    channel = registry.channel(kind)
    assert isinstance(channel, FacebookCommentChannel | InstagramCommentChannel)
    now = clock.now()
    thread = ThreadKey(kind, second, CUSTOMER[kind])
    channel.send_private_reply(thread, CUSTOMER[kind], "We wrote to you", now, now)
    assert vendors.sent(kind) == [(second, TOKENS[second])]


def test_a_profile_is_read_with_the_pages_own_token(bridge: Use) -> None:
    vendors = bridge("messenger")
    page = ACCOUNTS["messenger"][1]
    message = InboundMessage(ThreadKey("messenger", page, "5678"), "m1", Sender("5678"),
                             clock.now(), "hi")
    assert registry.channel("messenger").profile(message).display_name == "User 5678"
    assert [(r["page_id"], r["access_token"]) for r in vendors.graph.state.lookups] == [
        (page, PAGES[page])]


def test_whatsapp_template_and_media_are_per_number(bridge: Use) -> None:
    vendors = bridge("whatsapp")
    first, second = ACCOUNTS["whatsapp"]
    channel = registry.channel("whatsapp")
    assert isinstance(channel, WhatsAppChannel)
    threads = [ThreadKey("whatsapp", number, CUSTOMER["whatsapp"]) for number in NUMBERS]
    assert channel.reengagement_template(threads[1]) == "'reopen_two' (es_ES)"
    assert channel.reengagement_template(threads[0]) == "'hello_world' (en_US)"  # settings
    channel.send_reengagement(threads[1])
    channel.send_reengagement(threads[0])
    sent = [(r["phone_number_id"], r["access_token"], r["template"]["name"])
            for r in vendors.whatsapp.state.sent]
    assert sent == [(second, NUMBERS[second], "reopen_two"),
                    (first, NUMBERS[first], "hello_world")]
    media = vendors.whatsapp.state.add_media(b"\x89PNG...", "image/png")
    url = f"whatsapp-media:{media}"
    assert channel.fetch_attachment(url, threads[1]) == ("image/png", b"\x89PNG...")
    assert channel.fetch_attachment(url, ThreadKey("whatsapp", STRANGER, "1")) is None


def test_a_telegram_file_is_read_with_its_bots_token(bridge: Use) -> None:
    vendors = bridge("telegram")
    vendors.telegram.state.add_file("file-1", b"%PDF-1.7", "docs/a.pdf", "application/pdf")
    channel = registry.channel("telegram")
    assert isinstance(channel, TelegramChannel)
    url = channel.resolve_file("file-1", ThreadKey("telegram", "7000000002", "1"))
    assert url == f"{vendors.telegram.url}/file/bot{BOTS['7000000002']}/docs/a.pdf"


# ---- webhooks --------------------------------------------------------------------------


@pytest.fixture
def web(env: pytest.MonkeyPatch, sqlite_url: str, unused_port: int, vendors: Vendors,
        config_file: Path) -> Iterator[Web]:
    for web in build_web(env, sqlite_url, unused_port):
        apply_env(env, DATABASE_URL=sqlite_url, **settings(vendors, config_file, "messenger"))
        yield web


def capture(folder: str, name: str, account: str, to: str) -> bytes:
    """A real capture re-addressed from its account id to ``to``."""
    return shared_path("fixtures", folder, name).read_text().replace(account, to).encode()


META_BODIES = {  # kind: (folder, capture, the account id in it)
    "messenger": ("meta_messenger", "text_message.json", "1234567890"),
    "instagram": ("instagram", "dm_text_message.json", "1234567890"),
    "whatsapp": ("whatsapp", "text_message.json", "1122334455667"),
}


def unknown_count(endpoint: str) -> float:
    return float(EVENTS_IGNORED.labels(endpoint, "account:unknown")._value.get())


@pytest.mark.parametrize("kind", sorted(META_BODIES))
def test_meta_webhooks_for_an_account_we_do_not_have_are_ignored(kind: str, web: Web) -> None:
    folder, name, account = META_BODIES[kind]
    before = unknown_count("meta")
    answers = []
    for to in (STRANGER, ACCOUNTS[kind][1]):
        body = capture(folder, name, account, to)
        answer = web.client.post("/webhooks/meta", data=body, content_type="application/json",
                                 headers={"X-Hub-Signature-256": meta_signature(body)})
        answers.append((answer.status_code, answer.get_json()))
    assert answers == [(200, {"status": "accepted", "messages": 0, "ignored": 1}),
                       (200, {"status": "accepted", "messages": 1, "ignored": 0})]
    assert unknown_count("meta") == before + 1
    assert [(r.channel, r.account_id) for r in inbox_rows()] == [(kind, ACCOUNTS[kind][1])]


def x_signature(body: bytes) -> str:
    digest = hmac.new(X_APP[1].encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def test_x_webhooks_for_an_account_we_do_not_have_are_ignored(web: Web) -> None:
    before = unknown_count("x")
    answers = []
    for to in ("2975699009", "2975699002"):
        body = capture("x_twitter", "dm_incoming_text.json", "2975699229", to)
        answer = web.client.post("/webhooks/x", data=body, content_type="application/json",
                                 headers={"x-twitter-webhooks-signature": x_signature(body)})
        answers.append((answer.status_code, answer.get_json()))
    assert answers == [(200, {"status": "accepted", "messages": 0, "ignored": 1}),
                       (200, {"status": "accepted", "messages": 1, "ignored": 0})]
    assert unknown_count("x") == before + 1
    assert [(r.channel, r.account_id) for r in inbox_rows()] == [("x", "2975699002")]


def test_the_telegram_secret_says_which_bot_the_update_is_for(web: Web) -> None:
    def post(name: str, secret: str) -> int:
        body = shared_path("fixtures", "telegram", name).read_bytes()
        return web.client.post("/webhooks/telegram", data=body, content_type="application/json",
                               headers={"X-Telegram-Bot-Api-Secret-Token": secret}).status_code

    assert post("private_text.json", "secret-of-no-bot") == 401
    assert inbox_rows() == []
    assert post("private_text.json", BOT_SECRETS["7000000002"]) == 200
    assert post("private_voice.json", BOT_SECRETS["7000000001"]) == 200
    assert [(r.channel, r.account_id) for r in inbox_rows()] == [
        ("telegram", "7000000002"), ("telegram", "7000000001")]


# ---- through the pipeline ------------------------------------------------------------


@pytest.fixture(scope="module")
def zendesk() -> Iterator[ZendeskEmulator]:
    emu = ZendeskEmulator(email=ZD_EMAIL, token=ZD_TOKEN)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def world(env: pytest.MonkeyPatch, sqlite_url: str, zendesk: ZendeskEmulator,
          vendors: Vendors, config_file: Path) -> Iterator[World]:
    for w in world_lifecycle(lambda fake: World(env, sqlite_url, zendesk, vendors.graph, fake),
                             zendesk, vendors.graph):
        w.configure(BRIDGE_CONFIG=str(config_file))
        yield w


def page_body(w: World, page: str, psid: str, text: str) -> dict[str, Any]:
    """A page webhook body as Meta sends it to ``page``."""
    item = {**w.item(psid, text), "recipient": {"id": page}}
    return {"object": "page", "entry": [{"id": page, "time": item["timestamp"],
                                         "messaging": [item]}]}


def test_a_customer_of_each_page_gets_the_replies_from_that_page(world: World) -> None:
    """Two customers, one on each page, through the real pipeline (``tests/integration``):
    each agent reply reaches its customer from the customer's own page."""
    w = world
    first, second = PAGES
    customers = {"6543210987654321": first, "1112223334445556": second}
    tickets = {}
    for psid, page in customers.items():
        (conv,) = w.deliver(page_body(w, page, psid, f"Help me, page {page}"))
        assert w.run(conv) is None
        tickets[psid] = (conv, w.ticket_id(conv))
    for psid, (conv, ticket) in tickets.items():
        w.zendesk.agent_comment(ticket, f"Answer for {psid}")
        assert w.agent_webhook(ticket) == conv
        assert w.run(conv) is None
    sent = sorted((r["recipient"], r["page_id"], r["access_token"], r["text"]) for r in w.sent())
    assert sent == sorted((psid, page, PAGES[page], f"Answer for {psid}")
                          for psid, page in customers.items())
