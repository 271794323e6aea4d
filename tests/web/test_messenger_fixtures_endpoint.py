"""One test per captured Messenger webhook in ../shared/fixtures/meta_messenger, posted
through ``POST /webhooks/meta`` as Meta would (exact bytes, signed), Zulip style."""

from __future__ import annotations

from bridge.domain import InboundMessage
from tests.conftest import shared_path
from tests.web.conftest import PAGE, PSID, Web, assert_nothing_stored, inbox_rows, post_meta

FOLDER = ("fixtures", "meta_messenger")
POSTBACK_MID = f"postback:{PSID}:1459991487970"  # postbacks carry no mid: ours is stable

Row = tuple[str, str, str, tuple[str, ...]]  # message id, thread id, text, attachment kinds


def post_fixture(web: Web, name: str) -> dict[str, object]:
    body = shared_path(*FOLDER, name).read_bytes()
    response = post_meta(web.client, body)
    assert response.status_code == 200, response.get_data()
    answer = response.get_json()
    assert isinstance(answer, dict)
    return answer


def stored(web: Web) -> list[Row]:
    """The inbox rows, checked against what was handed to the batcher."""
    rows = inbox_rows()
    assert web.batched_ids == [r.id for r in rows]
    out: list[Row] = []
    for row in rows:
        message = InboundMessage.from_json(row.payload)
        assert (row.channel, row.account_id) == ("messenger", PAGE)
        assert (row.message_id, row.thread_id) == (message.message_id, message.thread.thread_id)
        out.append((row.message_id, row.thread_id, message.text,
                    tuple(a.kind for a in message.attachments)))
    return out


def assert_stored(web: Web, name: str, *expected: Row) -> None:
    answer = post_fixture(web, name)
    assert answer == {"status": "accepted", "messages": len(expected), "ignored": 0}
    assert stored(web) == list(expected)


def assert_ignored(web: Web, name: str) -> None:
    answer = post_fixture(web, name)
    assert answer == {"status": "accepted", "messages": 0, "ignored": 1}
    assert_nothing_stored()
    assert web.batched_ids == []


def test_text_message(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "text_message.json", ("external_id", PSID, "Hello World", ()))


def test_image_attachment(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "image_attachment.json", ("external_id", PSID, "", ("image",)))


def test_sticker_thumbs_up(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "sticker_thumbs_up.json", ("external_id", PSID, "", ("sticker",)))


def test_location_attachment(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "location_attachment.json",
                  ("external_id", PSID, "", ("location",)))


def test_fallback_attachment(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "fallback_attachment.json", ("external_id", PSID, "", ("link",)))


def test_ig_reel_attachment(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "ig_reel_attachment.json", ("external_id", PSID, "", ("link",)))


def test_postback_get_started(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "postback_get_started.json",
                  (POSTBACK_MID, PSID, "postback title", ()))


def test_postback_with_referral(sqlite_web: Web) -> None:
    assert_stored(sqlite_web, "postback_with_referral.json",
                  (POSTBACK_MID, PSID, "postback title", ()))


def test_echo_message(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "echo_message.json")


def test_delivery_receipt(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "delivery_receipt.json")


def test_optin_notification_messages(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "optin_notification_messages.json")


def test_referral(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "referral.json")


def test_no_messaging_entries(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "no_messaging_entries.json")


def test_unknown_messaging_entry(sqlite_web: Web) -> None:
    assert_ignored(sqlite_web, "unknown_messaging_entry.json")


def test_every_fixture_has_a_test() -> None:
    folder = shared_path(*FOLDER)
    tests = {
        name.removeprefix("test_") for name, value in globals().items()
        if name.startswith("test_") and callable(value) and name != "test_every_fixture_has_a_test"
    }
    assert {path.stem for path in folder.glob("*.json")} == tests

