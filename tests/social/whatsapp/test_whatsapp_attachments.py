"""An agent's files on a WhatsApp thread: one media message per file, by link, after the
text; refused files are named in the note; the emulator takes media sends as the spec
defines them and refuses malformed ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
import requests

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.social.whatsapp import mapping
from bridge.social.whatsapp.adapter import WhatsAppChannel
from bridge.social.whatsapp.client import CloudApiClient
from emulators.whatsapp import Fault, WhatsAppEmulator
from emulators.whatsapp.schema import SCHEMAS, message_problems, spec_schemas
from tests.conftest import shared_path
from tests.social.whatsapp import NOW, PHONE, THREAD, TOKEN, WA_ID

PHOTO = "https://acme.zendesk.com/attachments/token/Qx7Lm2/?name=photo.jpg"
INVOICE = ("https://s3.amazonaws.com/cdn.freshdesk.com/data/helpdesk/attachments/production/"
           "4301/original/Invoice%20March.pdf?X-Amz-Expires=300&X-Amz-Signature=ab12")
CLIP = "https://acme.zendesk.com/attachments/token/Vd93/?name=unboxing.mp4"


@pytest.fixture
def channel(emu: WhatsAppEmulator) -> WhatsAppChannel:
    return WhatsAppChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", WHATSAPP_PHONE_NUMBER_ID=PHONE,
        WHATSAPP_ACCESS_TOKEN=TOKEN, BRIDGE_HTTP_TIMEOUT=5.0))


def reply(text: str, *files: str, thread: ThreadKey = THREAD) -> OutboundMessage:
    return OutboundMessage(thread, text, attachment_urls=files)


class ScriptedClient(CloudApiClient):
    """Answers sends without a network: a link in ``refuse`` raises that error."""

    def __init__(self, refuse: Mapping[str, Exception]) -> None:
        super().__init__("http://unused.invalid", "v23.0", TOKEN, 1.0)
        self.refuse = dict(refuse)
        self.bodies: list[dict[str, Any]] = []

    def send_message(self, phone_number_id: str, body: Mapping[str, Any]) -> str:
        media = body.get(str(body["type"]))
        link = media.get("link") if isinstance(media, dict) else None
        if isinstance(link, str) and link in self.refuse:
            raise self.refuse[link]
        self.bodies.append(dict(body))
        return f"wamid.{len(self.bodies)}"


def scripted(**refuse: Exception) -> tuple[WhatsAppChannel, ScriptedClient]:
    urls = {"photo": PHOTO, "invoice": INVOICE, "clip": CLIP}
    client = ScriptedClient({urls[name]: error for name, error in refuse.items()})
    return WhatsAppChannel(Settings(WHATSAPP_PHONE_NUMBER_ID=PHONE), client), client


# ---- which message a file becomes ------------------------------------------------------


@pytest.mark.parametrize(("url", "kind", "name"), [
    (PHOTO, "image", "photo.jpg"),
    ("https://acme.zendesk.com/attachments/token/a/?name=Scan.PNG", "image", "Scan.PNG"),
    (CLIP, "video", "unboxing.mp4"),
    ("https://cdn.example.com/files/call.3gpp", "video", "call.3gpp"),
    ("https://cdn.example.com/files/voice.ogg", "audio", "voice.ogg"),
    ("https://cdn.example.com/files/note.amr", "audio", "note.amr"),
    ("https://cdn.example.com/files/song.mp3?sig=1", "audio", "song.mp3"),
    ("https://cdn.example.com/files/memo.m4a", "audio", "memo.m4a"),
    ("https://cdn.example.com/files/jingle.aac", "audio", "jingle.aac"),
    ("https://cdn.example.com/files/thanks.webp", "sticker", "thanks.webp"),
    (INVOICE, "document", "Invoice March.pdf"),
    ("https://cdn.example.com/files/dance.gif", "document", "dance.gif"),  # no GIF images
    ("https://acme.zendesk.com/attachments/token/Zt5/", "document", "Zt5"),
    ("https://cdn.example.com/", "document", "attachment"),
])
def test_media_type_and_file_name_come_from_the_name(url: str, kind: str, name: str) -> None:
    assert (mapping.media_type(url), mapping.file_name(url)) == (kind, name)


# ---- sending -----------------------------------------------------------------------------


def test_text_then_image_then_document_in_order(emu: WhatsAppEmulator,
                                                channel: WhatsAppChannel) -> None:
    result = channel.send(reply("Here are the photo and the invoice.", PHOTO, INVOICE),
                          emu.customer_wrote(WA_ID, timedelta(hours=2)), NOW)
    assert [s["body"] for s in emu.state.sent] == [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
         "type": "text", "text": {"body": "Here are the photo and the invoice.",
                                  "preview_url": False}},
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
         "type": "image", "image": {"link": PHOTO}},
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
         "type": "document", "document": {"link": INVOICE, "filename": "Invoice March.pdf"}},
    ]
    assert [s["media"] for s in emu.state.sent] == [
        None, {"link": PHOTO}, {"link": INVOICE, "filename": "Invoice March.pdf"}]
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note is None


def test_media_sends_conform_to_the_spec_strictly(emu: WhatsAppEmulator,
                                                  channel: WhatsAppChannel) -> None:
    strict = spec_schemas(shared_path("specs", "meta-whatsapp-business-messaging-api_v23.0.yaml"),
                          list(SCHEMAS))
    sticker = "https://cdn.example.com/files/thanks.webp"
    voice = "https://cdn.example.com/files/voice.ogg"
    channel.send(reply("", PHOTO, CLIP, voice, sticker, INVOICE), emu.customer_wrote(WA_ID), NOW)
    bodies = [s["body"] for s in emu.state.sent]
    assert [b["type"] for b in bodies] == ["image", "video", "audio", "sticker", "document"]
    assert [message_problems(b, strict) for b in bodies] == [[]] * 5
    assert bodies[3]["sticker"] == {"link": sticker}  # the spec closes the sticker object


def test_files_alone_are_sent_without_text(emu: WhatsAppEmulator,
                                           channel: WhatsAppChannel) -> None:
    result = channel.send(reply(" \n ", CLIP), emu.customer_wrote(WA_ID), NOW)
    [sent] = emu.state.sent
    assert (sent["type"], sent["media"]) == ("video", {"link": CLIP})
    assert result.platform_message_ids == (sent["message_id"],) and result.note is None


def test_quick_replies_stay_on_the_text_and_files_follow(emu: WhatsAppEmulator,
                                                         channel: WhatsAppChannel) -> None:
    message = OutboundMessage(THREAD, "How did we do?", quick_replies=(("Good", "g"),),
                              attachment_urls=(PHOTO,))
    channel.send(message, emu.customer_wrote(WA_ID), NOW)
    assert [s["type"] for s in emu.state.sent] == ["interactive", "image"]


def test_group_thread_gets_its_files_as_a_group(emu: WhatsAppEmulator,
                                                channel: WhatsAppChannel) -> None:
    group = ThreadKey("whatsapp", PHONE, "group:Y2FwaV9ncm91cDox")
    channel.send(reply("", PHOTO, thread=group), emu.customer_wrote("Y2FwaV9ncm91cDox"), NOW)
    [sent] = emu.state.sent
    assert (sent["recipient_type"], sent["to"], sent["type"]) == (
        "group", "Y2FwaV9ncm91cDox", "image")


def test_a_refused_file_is_a_note_and_the_others_go(emu: WhatsAppEmulator,
                                                    channel: WhatsAppChannel) -> None:
    """Through the real client: the emulator refuses a link that is not HTTP(S)."""
    bad = "ftp://files.example.com/old/report.xlsx"
    result = channel.send(reply("Files attached.", bad, INVOICE), emu.customer_wrote(WA_ID), NOW)
    assert [(s["type"], (s["media"] or {}).get("link")) for s in emu.state.sent] == [
        ("text", None), ("document", INVOICE)]
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note is not None
    assert result.note.startswith("attachment not sent: report.xlsx: WhatsApp 400: "
                                  "(#100) Invalid parameter (code 100)")
    assert "valid HTTP or HTTPS URL" in result.note


def test_refused_file_in_the_middle_keeps_the_order() -> None:
    channel, client = scripted(photo=PermanentError("WhatsApp 400: Media upload error"))
    result = channel.send(reply("Three files.", CLIP, PHOTO, INVOICE), NOW, NOW)
    assert [b["type"] for b in client.bodies] == ["text", "video", "document"]
    assert result.platform_message_ids == ("wamid.1", "wamid.2", "wamid.3")
    assert result.note == "attachment not sent: photo.jpg: WhatsApp 400: Media upload error"


def test_split_text_note_and_refused_file_note_together() -> None:
    channel, _ = scripted(invoice=PermanentError("too large"))
    text = "A sentence of a long answer. " * 200  # 5800 characters: two parts
    result = channel.send(reply(text, INVOICE), NOW, NOW)
    assert result.note == ("split into 2 messages (WhatsApp allows 4096 characters each); "
                           "attachment not sent: Invoice March.pdf: too large")


def test_nothing_sent_when_every_file_is_refused_is_a_failure() -> None:
    channel, client = scripted(photo=PermanentError("bad image"), clip=PermanentError("bad"))
    with pytest.raises(PermanentError) as caught:
        channel.send(reply("", PHOTO, CLIP), NOW, NOW)
    assert str(caught.value) == ("attachment not sent: photo.jpg: bad image; "
                                 "attachment not sent: unboxing.mp4: bad")
    assert client.bodies == []


def test_a_transient_failure_on_a_file_propagates() -> None:
    channel, client = scripted(invoice=TransientError("WhatsApp 503", retry_after=4))
    with pytest.raises(TransientError) as caught:
        channel.send(reply("Invoice attached.", INVOICE), NOW, NOW)
    assert caught.value.retry_after == 4
    assert [b["type"] for b in client.bodies] == ["text"]


def test_a_rate_limited_file_through_the_emulator_propagates(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    emu.state.add_fault(Fault(path="/messages$", status=429, retry_after=5))
    with pytest.raises(TransientError) as caught:
        channel.send(reply("", PHOTO), emu.customer_wrote(WA_ID), NOW)
    assert caught.value.retry_after == 5.0 and emu.state.sent == []


def test_files_outside_the_window_are_refused_without_a_request(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=100))  # any request would fail
    with pytest.raises(WindowClosed, match="1 day ago"):
        channel.send(reply("", PHOTO, INVOICE), emu.customer_wrote(WA_ID, timedelta(hours=25)),
                     NOW)
    assert emu.state.sent == [] and emu.state.faults[0].count == 100


def test_platform_window_refusal_of_files_alone_is_window_closed(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    """Nothing of the reply is out yet: the held-reply path must run, not a note."""
    emu.customer_wrote(WA_ID, timedelta(days=2))  # the platform knows better than we do
    with pytest.raises(WindowClosed, match="131047"):
        channel.send(reply("", PHOTO), NOW - timedelta(hours=1), NOW)
    assert emu.state.sent == []


def test_window_closing_after_the_text_is_a_note() -> None:
    channel, client = scripted(photo=WindowClosed("not sent: 131047"))
    result = channel.send(reply("Photo below.", PHOTO), NOW, NOW)
    assert [b["type"] for b in client.bodies] == ["text"]
    assert result.note == "attachment not sent: photo.jpg: not sent: 131047"


def test_channel_says_it_sends_attachments() -> None:
    assert WhatsAppChannel.sends_attachments is True


# ---- the emulator's media sends -----------------------------------------------------------


def post(emu: WhatsAppEmulator, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{emu.url}/v23.0/{PHONE}/messages", json=body, timeout=5,
                         headers={"Authorization": f"Bearer {TOKEN}"})


def media(kind: str, content: object) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
            "type": kind, kind: content}


@pytest.mark.parametrize("body", [
    media("image", {"id": "1003383421387256"}),
    media("video", {"link": CLIP, "caption": "Unboxing"}),
    media("document", {"link": INVOICE, "caption": "March", "filename": "invoice.pdf"}),
    media("audio", {"link": "http://cdn.example.com/voice.ogg"}),
    media("sticker", {"id": "123"}),
])
def test_emulator_accepts_media_as_the_spec_defines_it(emu: WhatsAppEmulator,
                                                       body: dict[str, Any]) -> None:
    emu.customer_wrote(WA_ID)
    answer = post(emu, body)
    assert answer.status_code == 200, answer.json()
    [sent] = emu.state.sent
    assert (sent["type"], sent["media"], sent["text"]) == (body["type"], body[body["type"]], None)
    assert answer.json()["messages"] == [{"id": sent["message_id"]}]


@pytest.mark.parametrize(("body", "complaint"), [
    (media("image", {}), "exactly one of image['id'] or image['link']"),
    (media("image", {"caption": "no file"}), "exactly one of image['id'] or image['link']"),
    (media("document", {"id": "1", "link": INVOICE}), "exactly one of"),
    (media("video", {"link": "not a url"}), "video['link'] must be a valid HTTP or HTTPS URL"),
    (media("audio", {"link": 7}), "valid HTTP or HTTPS URL"),
    (media("image", {"id": ""}), "image['id'] must be a non-empty string"),
    (media("sticker", {"link": PHOTO, "caption": "hi"}), "sticker['caption'] is not a known"),
    (media("image", {"link": PHOTO, "caption": "x" * 1025}), "at most 1024 characters"),
    (media("document", {"link": INVOICE, "filename": 3}), "filename'] must be a string"),
    (media("image", "https://cdn.example.com/a.jpg"), "image must be of type object"),
    ({**media("image", {"link": PHOTO}), "video": {"link": CLIP}},
     "video is not a known parameter"),
    ({k: v for k, v in media("document", {"link": INVOICE}).items() if k != "document"},
     "document is required"),
    (media("gif", {"link": PHOTO}), "Param type must be one of {text, audio, document"),
    (media("file", {"link": INVOICE}), "Param type must be one of"),
])
def test_emulator_refuses_malformed_media(emu: WhatsAppEmulator, body: dict[str, Any],
                                          complaint: str) -> None:
    emu.customer_wrote(WA_ID)
    answer = post(emu, body)
    assert answer.status_code == 400, answer.json()
    error = answer.json()["error"]
    assert (error["code"], error["message"], error["type"]) == (
        100, "(#100) Invalid parameter", "OAuthException")
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert complaint in error["error_data"]["details"]
    assert error["fbtrace_id"]
    assert emu.state.sent == []


def test_emulator_window_applies_to_media(emu: WhatsAppEmulator) -> None:
    emu.customer_wrote(WA_ID, timedelta(days=2))
    answer = post(emu, media("image", {"link": PHOTO}))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, 131047)
    emu.state.window_mode = "async"
    assert post(emu, media("image", {"link": PHOTO})).status_code == 200
    [webhook] = emu.state.webhooks
    status = webhook["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert (status["id"], status["status"]) == (emu.state.sent[0]["message_id"], "failed")


def test_sent_log_lists_media(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    channel.send(reply("", INVOICE), emu.customer_wrote(WA_ID), NOW)
    [sent] = requests.get(f"{emu.url}/_emulator/sent", timeout=5).json()["sent"]
    assert (sent["type"], sent["media"]) == (
        "document", {"link": INVOICE, "filename": "Invoice March.pdf"})
