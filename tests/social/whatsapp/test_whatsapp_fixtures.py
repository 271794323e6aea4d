"""One test per captured WhatsApp webhook in ../shared/fixtures/whatsapp (Zulip style).

Every fixture is read as bytes, signed with a test secret, verified with the shared
``bridge.social.meta.verify_signature``, decoded, and parsed both ways: ``parse`` (what
becomes an inbox row: messages, edits, deletions, failed deliveries) and ``parse_events``
(the typed events: edits, deletions, statuses, system notices); ``parse_receipts`` for the
receipts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError, SignatureError
from bridge.receipts import Receipt
from bridge.social import meta
from bridge.social.whatsapp.adapter import WhatsAppChannel
from bridge.social.whatsapp.events import (
    AccountProblem,
    DeliveryStatus,
    MessageDeleted,
    MessageEdited,
    PlatformProblem,
    SystemNotice,
    WhatsAppEvent,
    window_failure,
)
from tests.conftest import shared_path
from tests.social.texts import NON_LATIN

FOLDER = ("fixtures", "whatsapp")
SECRET = "fixture-secret"

# pywa captures: one number, one customer.
ACCOUNT, WA_ID, NAME = "1122334455667", "972987654321", "Test Name"
# courier captures.
COURIER, COURIER_WA, COURIER_NAME, COURIER_AT = "1234567890", "5678", "Kerry Fisher", 1454119029

channel = WhatsAppChannel(Settings(WHATSAPP_PHONE_NUMBER_ID=ACCOUNT, WHATSAPP_ACCESS_TOKEN="x"))


def fixture_bytes(name: str) -> bytes:
    return shared_path(*FOLDER, name).read_bytes()


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def decoded(name: str) -> dict[str, Any]:
    """The fixture's bytes, verified and decoded exactly as the webhook does it."""
    body = fixture_bytes(name)
    meta.verify_signature(body, sign(body), SECRET)
    return meta.decode(body)


def parse_fixture(name: str) -> tuple[ParsedWebhook, tuple[WhatsAppEvent, ...]]:
    payload = decoded(name)
    return channel.parse(payload), channel.parse_events(payload)


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def message(epoch: int, text: str = "", *attachments: Attachment, mid: str = "wamid.xyzxyz",
            quick_reply: str | None = None) -> InboundMessage:
    """A message of the pywa captures' customer."""
    return InboundMessage(ThreadKey("whatsapp", ACCOUNT, WA_ID), mid, Sender(WA_ID, NAME),
                          at(epoch), text, attachments, quick_reply)


def courier(text: str = "", *attachments: Attachment, quick_reply: str | None = None,
            thread: str = COURIER_WA) -> InboundMessage:
    """A message of the courier captures' customer (id ``external_id``)."""
    return InboundMessage(ThreadKey("whatsapp", COURIER, thread), "external_id",
                          Sender(COURIER_WA, COURIER_NAME), at(COURIER_AT), text, attachments,
                          quick_reply)


def media(kind: Any, media_id: str, mime: str, platform: str | None = None,
          name: str | None = None) -> Attachment:
    return Attachment(kind, url=f"whatsapp-media:{media_id}", name=name, mime_type=mime,
                      platform_type=platform or kind)


def only(*messages: InboundMessage) -> ParsedWebhook:
    return ParsedWebhook(messages=messages)


def ignored(*reasons: str) -> ParsedWebhook:
    return ParsedWebhook(ignored=reasons)


def status(state: str, epoch: int, *errors: PlatformProblem, account: str = ACCOUNT,
           recipient: str = WA_ID, mid: str = "wamid.xyzxyz") -> DeliveryStatus:
    return DeliveryStatus(ThreadKey("whatsapp", account, recipient), mid, state, at(epoch),
                          errors)


COVERED = {
    "audio_message.json", "contacts_message.json", "deleted_message_revoke.json",
    "document_message.json", "echo_outgoing_edit.json", "echo_outgoing_text.json",
    "edited_message_image.json", "forwarded_message.json", "group_text_message.json",
    "image_message.json", "interactive_button_reply.json", "interactive_list_reply.json",
    "interactive_nfm_reply_flow.json", "location_chosen_message.json",
    "location_current_message.json", "location_message_courier.json", "order_message.json",
    "reaction_message.json", "reaction_removed_message.json", "referral_message.json",
    "reply_with_context_message.json", "status_delivered.json", "status_failed.json",
    "status_failed_media_404.json", "status_read.json", "status_sent.json",
    "status_sent_referral_conversion.json", "status_sent_with_biz_opaque_callback_data.json",
    "sticker_animated_message.json", "sticker_static_message.json",
    "system_identity_changed.json", "system_user_changed_number.json",
    "template_button_courier.json", "template_quick_reply_button.json", "text_message.json",
    "unsupported_message.json", "unsupported_message_with_errors.json", "video_message.json",
    "voice_message.json", "webhook_level_errors.json",
}


def test_every_fixture_has_a_test() -> None:
    folder = shared_path(*FOLDER)
    assert {p.name for p in folder.glob("*.json")} == COVERED
    assert len(COVERED) == 40


# ---- customer messages --------------------------------------------------------------


def test_text_message() -> None:
    assert parse_fixture("text_message.json") == (only(message(1697043223, "Body Text")), ())


def test_forwarded_message() -> None:
    expected = only(message(1697044815, "forwarded text"))
    assert parse_fixture("forwarded_message.json") == (expected, ())


def test_reply_with_context_message() -> None:
    expected = only(message(1697044746, "replied text"))
    assert parse_fixture("reply_with_context_message.json") == (expected, ())


def test_referral_message() -> None:
    ad = Attachment("link", url="AD_OR_POST_FB_URL", title="AD_TITLE", platform_type="referral")
    expected = only(message(1697045000, "BODY", ad, mid="wamid.ID"))
    assert parse_fixture("referral_message.json") == (expected, ())


def test_group_text_message() -> None:
    # One conversation per group; the sender is the member who wrote.
    expected = only(courier("Hello World, group message", thread="group:555555555"))
    assert parse_fixture("group_text_message.json") == (expected, ())


def test_image_message() -> None:
    image = media("image", "65463453", "image/jpeg")
    assert parse_fixture("image_message.json") == (only(message(1697043379, "", image)), ())


def test_video_message() -> None:
    video = media("video", "765756756", "video/mp4")
    expected = only(message(1697044362, "caption", video))
    assert parse_fixture("video_message.json") == (expected, ())


def test_audio_message() -> None:
    audio = media("audio", "1234567890987654321", "audio/ogg; codecs=opus")
    assert parse_fixture("audio_message.json") == (only(message(1697043509, "", audio)), ())


def test_voice_message() -> None:
    voice = media("audio", "1234567890987654321", "audio/ogg; codecs=opus", platform="voice")
    assert parse_fixture("voice_message.json") == (only(message(1697043473, "", voice)), ())


def test_document_message() -> None:
    document = media("file", "1234567890987654321", "application/pdf", platform="document",
                     name="filename.pdf")
    expected = only(message(1697043666, "caption", document))
    assert parse_fixture("document_message.json") == (expected, ())


def test_sticker_static_message() -> None:
    sticker = media("sticker", "1234567890987654321", "image/webp")
    expected = only(message(1697043760, "", sticker))
    assert parse_fixture("sticker_static_message.json") == (expected, ())


def test_sticker_animated_message() -> None:
    sticker = media("sticker", "1234567890987654321", "image/webp")
    expected = only(message(1697043785, "", sticker))
    assert parse_fixture("sticker_animated_message.json") == (expected, ())


def test_location_chosen_message() -> None:
    place = Attachment("location", url="https://maps.google.com/?cid=2000000000000000000",
                       title="Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025",
                       latitude=37.4611978, longitude=-122.2164385, platform_type="location")
    expected = only(message(1697044557, "", place))
    assert parse_fixture("location_chosen_message.json") == (expected, ())


def test_location_current_message() -> None:
    here = Attachment("location", latitude=12.25089, longitude=43.90539,
                      platform_type="location")
    expected = only(message(1697044557, "", here))
    assert parse_fixture("location_current_message.json") == (expected, ())


def test_location_message_courier() -> None:
    # The address already starts with the name: it is not repeated.
    beach = Attachment("location", url="https://foursquare.com/v/4d7031d35b5df7744",
                       title="Main Street Beach, Santa Cruz, CA", latitude=0.0, longitude=1.0,
                       platform_type="location")
    assert parse_fixture("location_message_courier.json") == (only(courier("", beach)), ())


def test_contacts_message() -> None:
    lines = ("Chandler Bing: +1 555-555-5555 (CELL)\n"
             "Monica: +1 666-666-6666 (HOME)\n"
             "Rachel Green: +1 777-777-7777 (WORK)")
    assert parse_fixture("contacts_message.json") == (only(message(1697044621, lines)), ())


def test_interactive_button_reply() -> None:
    expected = only(message(1698266730, "title", quick_reply="callback_data"))
    assert parse_fixture("interactive_button_reply.json") == (expected, ())


def test_interactive_list_reply() -> None:
    expected = only(message(1698266905, "title", mid="wamid.zyzxyz",
                            quick_reply="callback_data"))
    assert parse_fixture("interactive_list_reply.json") == (expected, ())


def test_interactive_nfm_reply_flow() -> None:
    # A completed Flow: the customer's answers are kept as lines; the flow token is ours.
    expected = only(courier("Sent\nfirst_name: Bob\nage: 32"))
    assert parse_fixture("interactive_nfm_reply_flow.json") == (expected, ())


def test_template_quick_reply_button() -> None:
    expected = only(message(1698269027, "title", mid="wamid.xsidjw",
                            quick_reply="callback_data"))
    assert parse_fixture("template_quick_reply_button.json") == (expected, ())


def test_template_button_courier() -> None:
    expected = only(courier("No", quick_reply="No-Button-Payload"))
    assert parse_fixture("template_button_courier.json") == (expected, ())


def test_order_message() -> None:
    lines = ("Order from catalogue 354160437058781:\n3 × HAMBURGER at 30 ILS\n"
             "2 × FRENCH_FRIES at 35 ILS\n2 × SODA at 10 ILS")
    assert parse_fixture("order_message.json") == (only(message(1697044668, lines)), ())


def test_unsupported_message() -> None:
    placeholder = Attachment(
        "unsupported", title="Message type unknown (131051): Message type is currently not "
        "supported.", platform_type="unsupported")
    expected = only(message(1697044706, "", placeholder))
    assert parse_fixture("unsupported_message.json") == (expected, ())


def test_unsupported_message_with_errors() -> None:
    # The capture has text next to the unsupported type: the text is kept too.
    placeholder = Attachment(
        "unsupported", title="Unsupported message type (131051): Message type is not "
        "currently supported", platform_type="unsupported")
    expected = only(courier("Hello World", placeholder))
    assert parse_fixture("unsupported_message_with_errors.json") == (expected, ())


# ---- deliberately not tickets -------------------------------------------------------


def test_reaction_message() -> None:
    assert parse_fixture("reaction_message.json") == (ignored("reaction"), ())


def test_reaction_removed_message() -> None:
    assert parse_fixture("reaction_removed_message.json") == (ignored("reaction"), ())


def test_echo_outgoing_text() -> None:
    assert parse_fixture("echo_outgoing_text.json") == (ignored("echo"), ())


def test_echo_outgoing_edit() -> None:
    assert parse_fixture("echo_outgoing_edit.json") == (ignored("echo"), ())


def test_edited_message_image() -> None:
    # The contacts entry names another wa_id than the sender's: no name is borrowed.
    image = Attachment("image", url="whatsapp-media:1234567890", mime_type="image/jpeg",
                       platform_type="image")
    original = "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    edit_id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    thread = ThreadKey("whatsapp", "106540352242922", "16505551234")
    edit = MessageEdited(thread, edit_id, original, Sender("16505551234"), at(1749854575),
                         "Updated image caption", (image,))
    row = InboundMessage(thread, f"edit:{original}:{edit_id}", Sender("16505551234"),
                         at(1749854575), "Updated image caption", (image,), kind="edit",
                         refers_to=original)
    assert parse_fixture("edited_message_image.json") == (only(row), (edit,))


def test_deleted_message_revoke() -> None:
    # Placeholders are kept as in the source: they are opaque ids to us.
    thread = ThreadKey("whatsapp", "<BUSINESS_PHONE_NUMBER_ID>", "<WHATSAPP_USER_PHONE_NUMBER>")
    deleted = MessageDeleted(thread, "<WHATSAPP_MESSAGE_ID>", "<ORIGINAL_WHATSAPP_MESSAGE_ID>",
                             Sender("<WHATSAPP_USER_PHONE_NUMBER>"), at(1697043223))
    row = InboundMessage(thread, "delete:<ORIGINAL_WHATSAPP_MESSAGE_ID>",
                         Sender("<WHATSAPP_USER_PHONE_NUMBER>"), at(1697043223), kind="delete",
                         refers_to="<ORIGINAL_WHATSAPP_MESSAGE_ID>")
    assert parse_fixture("deleted_message_revoke.json") == (only(row), (deleted,))


def test_system_identity_changed() -> None:
    notice = SystemNotice(ThreadKey("whatsapp", ACCOUNT, WA_ID), "wamid.xyzxyz",
                          "customer_identity_changed", "User identity changed", at(1697044706))
    expected = (ignored("customer_identity_changed"), (notice,))
    assert parse_fixture("system_identity_changed.json") == expected


def test_system_user_changed_number() -> None:
    notice = SystemNotice(ThreadKey("whatsapp", ACCOUNT, WA_ID), "wamid.xyzxyz==",
                          "user_changed_number",
                          "User A changed from 972987654321 to 972912345678", at(1753851315),
                          new_id="972912345678")
    expected = (ignored("user_changed_number"), (notice,))
    assert parse_fixture("system_user_changed_number.json") == expected


def test_webhook_level_errors() -> None:
    problem = AccountProblem(COURIER, (PlatformProblem(
        0, "We were unable to authenticate the app user"),))
    assert parse_fixture("webhook_level_errors.json") == (ignored("errors"), (problem,))
    assert channel.parse_receipts(decoded("webhook_level_errors.json")) == ()


# ---- statuses of our sends: receipts recorded, failures noted, never tickets -------------


def receipt(state: str, epoch: int, account: str = ACCOUNT, recipient: str = WA_ID,
            mid: str = "wamid.xyzxyz") -> Receipt:
    return Receipt(ThreadKey("whatsapp", account, recipient), state, at(epoch), (mid,))


def test_status_sent() -> None:
    expected = (ignored("status_sent"), (status("sent", 1698266945),))
    assert parse_fixture("status_sent.json") == expected
    assert channel.parse_receipts(decoded("status_sent.json")) == (receipt("sent", 1698266945),)


def test_status_sent_referral_conversion() -> None:
    sent = status("sent", COURIER_AT, account=COURIER, recipient=COURIER_WA, mid="external_id")
    assert parse_fixture("status_sent_referral_conversion.json") == (
        ignored("status_sent"), (sent,))


def test_status_sent_with_biz_opaque_callback_data() -> None:
    expected = (ignored("status_sent"), (status("sent", 1698266945),))
    assert parse_fixture("status_sent_with_biz_opaque_callback_data.json") == expected


def test_status_delivered() -> None:
    delivered = status("delivered", 1698266945)
    assert parse_fixture("status_delivered.json") == (ignored("status_delivered"), (delivered,))
    assert channel.parse_receipts(decoded("status_delivered.json")) == (
        receipt("delivered", 1698266945),)


def test_status_read() -> None:
    assert parse_fixture("status_read.json") == (ignored("status_read"),
                                                 (status("read", 1689380458),))
    assert channel.parse_receipts(decoded("status_read.json")) == (receipt("read", 1689380458),)


def failed_row(epoch: int, reason: str, account: str = ACCOUNT, recipient: str = WA_ID,
               mid: str = "wamid.xyzxyz") -> InboundMessage:
    return InboundMessage(ThreadKey("whatsapp", account, recipient), f"status:{mid}:failed",
                          Sender(recipient), at(epoch), reason, kind="status", refers_to=mid)


def test_status_failed() -> None:
    problem = PlatformProblem(130472, "User's number is part of an experiment",
                              "Failed to send message because this user's phone number is part "
                              "of an experiment")
    failed = status("failed", 1689380458, problem)
    reason = ("User's number is part of an experiment (code 130472): Failed to send message "
              "because this user's phone number is part of an experiment")
    assert parse_fixture("status_failed.json") == (only(failed_row(1689380458, reason)),
                                                   (failed,))
    assert not failed.window_closed and not window_failure(failed_row(1689380458, reason))
    assert channel.parse_receipts(decoded("status_failed.json")) == ()


def test_status_failed_media_404() -> None:
    problem = PlatformProblem(131014, "Request for url https://URL.jpg failed with error: "
                                      "404 (Not Found)")
    failed = status("failed", COURIER_AT, problem, account=COURIER, recipient=COURIER_WA,
                    mid="external_id")
    reason = "Request for url https://URL.jpg failed with error: 404 (Not Found) (code 131014)"
    assert failed.reason == reason
    row = failed_row(COURIER_AT, reason, COURIER, COURIER_WA, "external_id")
    assert parse_fixture("status_failed_media_404.json") == (only(row), (failed,))


# ---- bodies built here: shapes no capture covers ------------------------------------


def body_with(*messages: dict[str, Any], account: str = ACCOUNT, field: str = "messages",
              **value: Any) -> dict[str, Any]:
    change_value = {"messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550001111",
                                 "phone_number_id": account},
                    "contacts": [{"profile": {"name": NAME}, "wa_id": WA_ID}],
                    "messages": list(messages), **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"value": change_value, "field": field}]}]}


def text_item(text: str, mid: str = "wamid.1", sender: str = WA_ID) -> dict[str, Any]:
    return {"from": sender, "id": mid, "timestamp": "1697043223", "type": "text",
            "text": {"body": text}}


def test_several_changes_keep_their_order() -> None:
    body = body_with(text_item("one", "m1"), {"from": WA_ID, "type": "reaction"},
                     text_item("two", "m2"))
    body["entry"] += body_with(text_item("three", "m3", "111"), account="42")["entry"]
    parsed = channel.parse(body)
    assert [(m.message_id, m.text) for m in parsed.messages] == [
        ("m1", "one"), ("m2", "two"), ("m3", "three")]
    assert parsed.messages[2].thread == ThreadKey("whatsapp", "42", "111")
    assert parsed.messages[2].sender == Sender("111")  # no contact with that wa_id
    assert parsed.ignored == ("reaction",)


def test_status_to_a_group_names_the_group_thread() -> None:
    item = {"id": "wamid.g", "status": "read", "timestamp": "1", "recipient_id": "G1",
            "recipient_type": "group"}
    [event] = channel.parse_events(body_with(statuses=[item]))
    assert isinstance(event, DeliveryStatus)
    assert event.thread == ThreadKey("whatsapp", ACCOUNT, "group:G1")


def test_window_failure_status_is_flagged() -> None:
    error = {"code": 131047, "title": "Re-engagement message",
             "error_data": {"details": "More than 24 hours have passed."}}
    item = {"id": "wamid.late", "status": "failed", "timestamp": "1", "recipient_id": WA_ID,
            "errors": [error]}
    [event] = channel.parse_events(body_with(statuses=[item]))
    assert isinstance(event, DeliveryStatus) and event.window_closed
    [row] = channel.parse(body_with(statuses=[item])).messages
    assert row.kind == "status" and window_failure(row) and channel.window_failure(row)
    assert row.text == "Re-engagement message (code 131047): More than 24 hours have passed."


@pytest.mark.parametrize(("item", "reason"), [
    ({"from": WA_ID, "id": "m", "timestamp": "1", "type": "ephemeral"}, "ephemeral"),
    ({"from": WA_ID, "id": "m", "timestamp": "1", "type": "interactive",
      "interactive": {"type": "call_permission_reply"}}, "interactive:call_permission_reply"),
    ({"from": WA_ID, "id": "m", "timestamp": "1", "type": "image", "image": {}}, "image"),
])
def test_unknown_kinds_are_kept_as_unsupported(item: dict[str, Any], reason: str) -> None:
    [parsed] = channel.parse(body_with(item)).messages
    assert parsed.attachments == (Attachment("unsupported", platform_type=reason),)


def test_other_fields_objects_and_empty_entries_are_ignored() -> None:
    template_update = body_with(field="message_template_status_update")
    template_update["entry"][0]["changes"][0]["value"] = {"event": "APPROVED"}
    assert channel.parse(template_update) == ignored("field:message_template_status_update")
    assert channel.parse({"object": "page", "entry": []}) == ignored("not_whatsapp")
    assert channel.parse_events({"object": "page", "entry": []}) == ()
    empty = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": []}]}
    assert channel.parse(empty) == ignored("no_changes")
    assert channel.parse(body_with(text_item("x"), field="smb_message_echoes")).messages


@pytest.mark.parametrize(("body", "reason"), [
    ({"object": "whatsapp_business_account", "entry": {}}, "entry"),
    ({"object": "whatsapp_business_account", "entry": [{"changes": []}]}, "entry.0.id"),
    (body_with(text_item("x"), account=""), "phone_number_id"),
    ({"object": "whatsapp_business_account",
      "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messages": []}}]}]},
     "metadata"),
    (body_with({"id": "m", "timestamp": "1", "type": "text", "text": {"body": "x"}}),
     "without from"),
    (body_with({"from": WA_ID, "timestamp": "1", "type": "text", "text": {"body": "x"}}),
     "without id"),
    (body_with({"from": WA_ID, "id": "m", "type": "text", "text": {"body": "x"}}),
     "without timestamp"),
    (body_with({"from": WA_ID, "id": "m", "timestamp": "soon", "type": "text"}), "timestamp"),
    (body_with({"from": WA_ID, "id": "m", "timestamp": "1", "type": "text", "text": "x"}),
     "text"),
])
def test_malformed_bodies_are_payload_errors(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        channel.parse(body)
        channel.parse_events(body)


def test_empty_phone_number_id_is_refused_by_events_too() -> None:
    with pytest.raises(PayloadError, match="phone_number_id"):
        channel.parse_events(body_with(statuses=[{"id": "m", "status": "sent"}], account=""))


@pytest.mark.parametrize("text", NON_LATIN)
def test_non_latin_text_round_trips_unchanged(text: str) -> None:
    raw = json.dumps(body_with(text_item(text)), ensure_ascii=True).encode()  # as Meta sends
    meta.verify_signature(raw, sign(raw), SECRET)
    [parsed] = channel.parse(meta.decode(raw)).messages
    assert parsed.text.encode("utf-8") == text.encode("utf-8")
    assert InboundMessage.from_json(parsed.to_json()) == parsed


def test_quick_reply_survives_the_inbox_round_trip() -> None:
    payload = decoded("interactive_button_reply.json")
    [parsed] = channel.parse(payload).messages
    assert InboundMessage.from_json(parsed.to_json()).quick_reply == "callback_data"


def test_signature_over_other_bytes_fails() -> None:
    body = fixture_bytes("text_message.json")
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode()  # same JSON
    with pytest.raises(SignatureError, match="does not match"):
        meta.verify_signature(compact, sign(body), SECRET)


def test_profile_is_the_parsed_sender() -> None:
    [parsed] = channel.parse(decoded("text_message.json")).messages
    assert channel.profile(parsed) == Sender(WA_ID, display_name=NAME)
