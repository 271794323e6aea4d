"""Messenger → Zendesk → Messenger through the real pipeline and the real adapters: what
only Zendesk does (``test_messenger_helpdesks.py`` has what both helpdesks do alike).

Each test plays Meta (webhook bodies as Meta sends them) and a Zendesk agent (through
the emulator's agent actions), runs the conversation in-process, and asserts on what
the emulators hold and on the Zendesk request log: what Zendesk would store and bill.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from bridge import registry
from tests.integration import scenarios
from tests.integration.meta_world import PAGE
from tests.integration.scenarios import PSID, SCRIPTS
from tests.integration.zendesk_world import ZD_EMAIL, ZD_TOKEN, World, put

OTHER_PSID = "1112223334445556"
CREATE_USER, CREATE_TICKET = World.CREATE_REQUESTER, World.CREATE_TICKET
UPLOAD = "POST /api/v2/uploads.json"


# ---- customer → Zendesk ----------------------------------------------------------------


def test_new_conversation_is_one_ticket_in_two_calls(world: World) -> None:
    w = world
    w.graph.state.set_profile(PSID, "Ana", "García")
    text = "My order has not arrived\nOrder #123, placed on Monday"
    conv, tid, ticket = scenarios.opens_a_ticket(w, text)
    requester = w.user(ticket["requester_id"])
    assert requester["role"] == "end-user"
    assert requester["external_id"] == f"messenger:{PAGE}:{PSID}"
    assert requester["name"] == "Ana García"
    assert {"social", "messenger"} <= set(ticket["tags"])
    assert ticket["subject"] == "My order has not arrived"
    (first,) = w.comments(tid)
    assert first["body"] == text and ticket["description"] == text
    assert first["public"] is True and first["author_id"] == ticket["requester_id"]

    mark = w.writes_later(conv, PSID, "Any news?", after=60)
    assert w.calls(mark) == [put(tid)]
    last = w.comments(tid)[-1]
    assert (last["body"], last["public"], last["author_id"]) == (
        "Any news?", True, ticket["requester_id"])
    assert list(w.tickets()) == [tid]


def test_long_subject_is_not_cut_inside_an_emoji(sqlite_world: World) -> None:
    w = sqlite_world
    line = "x" * 76 + "👨\u200d👩\u200d👧 and the rest of a long first line"
    conv = w.writes(PSID, line + "\nsecond line")
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    assert w.public_bodies(tid) == [line + "\nsecond line"]
    subject = ticket["subject"]
    assert subject.endswith("…") and len(subject) <= 80
    kept = subject.removesuffix("…").rstrip()
    assert line.startswith(kept)
    assert "\u200d" not in (line[len(kept) - 1], line[len(kept)])


def test_scripts_and_emoji_arrive_byte_for_byte_in_order(world: World) -> None:
    w = world
    texts = list(SCRIPTS.values())
    tid, _ = scenarios.texts_arrive_in_order(w, texts)
    assert [c["body"].encode() for c in w.comments(tid)] == [t.encode() for t in texts]


def test_two_interleaved_conversations_keep_their_own_messages(sqlite_world: World) -> None:
    w = sqlite_world
    at = w.clock.now
    convs = w.deliver(w.payload(
        w.item(PSID, "A1", at=at), w.item(OTHER_PSID, "B1", at=at + timedelta(seconds=1)),
        w.item(PSID, "A2", at=at + timedelta(seconds=2)),
        w.item(OTHER_PSID, "B2", at=at + timedelta(seconds=3)),
    ))
    assert len(convs) == 2
    for conv in reversed(convs):
        assert w.run(conv) is None
    w.clock.advance(30)
    assert sorted(w.deliver(w.payload(w.item(OTHER_PSID, "B3"), w.item(PSID, "A3")))) == sorted(
        convs)
    for conv in convs:
        assert w.run(conv) is None

    by_psid = {w.conversation(c).thread_id: w.ticket_id(c) for c in convs}
    assert len(w.tickets()) == 2 and len(set(by_psid.values())) == 2
    assert w.public_bodies(by_psid[PSID]) == ["A1", "A2", "A3"]
    assert w.public_bodies(by_psid[OTHER_PSID]) == ["B1", "B2", "B3"]
    for psid, tid in by_psid.items():
        requester = w.user(w.tickets()[tid]["requester_id"])
        assert requester["external_id"] == f"messenger:{PAGE}:{psid}"


# ---- attachments ------------------------------------------------------------------------

MEDIA = [
    ("image", "photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    ("file", "invoice.pdf", "application/pdf", b"%PDF-1.7\n" + b"\x00\xff" * 300),
    ("video", "clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 900),
    ("audio", "voice.aac", "audio/aac", b"\xff\xf1\x50\x80" + b"\x02" * 700),
]


def media(kind: str, url: str) -> dict[str, Any]:
    return {"type": kind, "payload": {"url": url}}


@pytest.mark.parametrize(("kind", "name", "content_type", "data"), MEDIA,
                         ids=[m[0] for m in MEDIA])
def test_media_is_uploaded_and_attached(sqlite_world: World, kind: str, name: str,
                                        content_type: str, data: bytes) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "I will send you something")
    w.graph.state.files[name] = (content_type, data)
    url = f"{w.graph.url}/_emulator/files/{name}"
    w.clock.advance(5)
    mark = w.mark()
    w.deliver(w.payload(w.item(PSID, "here it is", attachments=[media(kind, url)])))
    assert w.run(conv) is None

    assert w.calls(mark) == [UPLOAD, put(tid)]
    last = w.comments(tid)[-1]
    assert last["body"] == f"here it is\n\n[{kind}] {url}"
    (attachment,) = last["attachments"]
    assert attachment["file_name"] == name
    assert attachment["content_type"] == content_type
    assert attachment["size"] == len(data)
    got = requests.get(w.zendesk.base_url + attachment["content_url"], timeout=5)
    assert got.status_code == 200 and got.content == data


def test_image_only_message_opens_a_ticket_with_the_upload(sqlite_world: World) -> None:
    w = sqlite_world
    w.graph.state.set_profile(PSID, "Ana", "García")
    w.graph.state.files["receipt.jpg"] = ("image/jpeg", b"\xff\xd8\xff\xe0JFIF" + b"\x07" * 500)
    url = f"{w.graph.url}/_emulator/files/receipt.jpg"
    conv = w.deliver(w.payload(w.item(PSID, attachments=[media("image", url)])))[0]
    assert w.run(conv) is None
    assert w.calls() == [CREATE_USER, UPLOAD, CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert ticket["subject"] == "Messenger message from Ana García"
    (first,) = w.comments(tid)
    assert first["body"] == f"[image] {url}"
    assert [a["file_name"] for a in first["attachments"]] == ["receipt.jpg"]


def test_image_that_cannot_be_downloaded_keeps_its_url(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "hello")
    url = f"{w.graph.url}/_emulator/files/expired.png"  # not served: 404
    mark = w.mark()
    w.deliver(w.payload(w.item(PSID, "look", attachments=[media("image", url)])))
    assert w.run(conv) is None
    assert w.calls(mark) == [put(tid)]  # no upload
    last = w.comments(tid)[-1]
    assert last["body"] == f"look\n\n[image] {url}"
    assert last["attachments"] == []


def test_location_becomes_coordinates_and_a_map_link(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "where to pick it up?")
    location = {"type": "location",
                "payload": {"coordinates": {"lat": 52.3676, "long": 4.9041}}}
    mark = w.mark()
    w.deliver(w.payload(w.item(PSID, attachments=[location])))
    assert w.run(conv) is None
    assert w.calls(mark) == [put(tid)]
    body = w.comments(tid)[-1]["body"]
    assert "52.3676, 4.9041" in body
    assert "https://www.openstreetmap.org/?mlat=52.3676&mlon=4.9041" in body


@pytest.mark.parametrize("kind", ["fallback", "ig_reel"])
def test_link_attachments_keep_their_url(sqlite_world: World, kind: str) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "see this")
    url = ("https://www.instagram.com/reel/C9xYz12AbC/" if kind == "ig_reel"
           else "https://example.com/blog/post?id=7&ref=msgr")
    link = {"type": kind, "payload": {"url": url, "title": "Look at this"}}
    mark = w.mark()
    w.deliver(w.payload(w.item(PSID, "this one", attachments=[link])))
    assert w.run(conv) is None
    assert w.calls(mark) == [put(tid)]
    body = w.comments(tid)[-1]["body"]
    assert body.startswith("this one\n\n[")
    assert url in body.splitlines()[-1]


def test_unknown_attachment_type_is_a_visible_placeholder(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "hi")
    product = {"type": "product", "payload": {"product": {"elements": [{"id": "42"}]}}}
    w.deliver(w.payload(w.item(PSID, "this product", attachments=[product])))
    assert w.run(conv) is None
    assert w.comments(tid)[-1]["body"] == "this product\n\n[unsupported attachment: product]"


@pytest.mark.parametrize("status", ["pending", "solved", "hold"])
def test_pending_or_solved_ticket_is_reopened(sqlite_world: World, status: str) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "first")
    w.zendesk.set_status(tid, status)
    assert w.tickets()[tid]["status"] == status
    mark = scenarios.written_to_a_ticket_set_aside(w, conv, tid)
    assert w.calls(mark) == [put(tid)]
    assert w.tickets()[tid]["status"] == "open"


def test_closed_ticket_gets_a_followup(world: World) -> None:
    w = world
    conv, old, new, mark = scenarios.written_after_closed(w)
    assert w.calls(mark) == [put(old), CREATE_TICKET]
    refused, created = w.log(mark)
    assert refused["status"] == 422 and created["status"] == 201
    assert created["json"]["ticket"]["via_followup_source_id"] == old
    tickets = w.tickets()
    assert tickets[new]["via"]["source"]["rel"] == "follow_up"
    assert tickets[new]["via"]["source"]["from"]["ticket_id"] == old
    assert tickets[old]["followup_ids"] == [new]
    assert tickets[old]["status"] == "closed"
    assert tickets[new]["requester_id"] == tickets[old]["requester_id"]
    assert {"social", "messenger"} <= set(tickets[new]["tags"])
    scenarios.followup_goes_on(w, conv, new)


def test_image_to_a_closed_ticket_is_uploaded_once(sqlite_world: World) -> None:
    w = sqlite_world
    conv, old = w.started(PSID, "first")
    w.close(old)
    name, content_type, data = "photo.png", "image/png", MEDIA[0][3]
    w.graph.state.files[name] = (content_type, data)
    url = f"{w.graph.url}/_emulator/files/{name}"
    mark = w.mark()
    w.deliver(w.payload(w.item(PSID, "again", attachments=[media("image", url)])))
    assert w.run(conv) is None
    new = w.ticket_id(conv)
    assert new != old
    (comment,) = w.comments(new)
    assert [a["file_name"] for a in comment["attachments"]] == [name]  # holds
    calls = w.calls(mark)
    assert calls.count(UPLOAD) == 1 and len(calls) <= 3  # one upload; PUT 422 + create


# ---- agent → customer --------------------------------------------------------------------


def test_agent_reply_is_sent_once_as_a_response(world: World) -> None:
    w = world
    conv, tid = w.started(PSID, "hi")
    w.clock.advance(600)
    text = "Hello from support — ¿en qué podemos ayudar? 🙂\nWe are on it."
    w.agent_replies(tid, text)
    mark = w.mark()
    assert w.reply_round(conv, tid) is None
    assert all(call.startswith("GET ") for call in w.calls(mark))  # reading only
    scenarios.sent_once_as_a_response(w, conv, tid, text)


def test_agent_files_reach_messenger_after_the_text(world: World) -> None:
    """An agent attaches a photo and a PDF in Zendesk: the customer gets the text, then
    each file by its Zendesk link, and no note says a file was left behind."""
    w = world
    conv, tid = w.started(PSID, "can you send the label?")
    tokens = []
    for name, kind in (("label.png", "image/png"), ("terms.pdf", "application/pdf")):
        uploaded = requests.post(f"{w.zendesk.base_url}/api/v2/uploads.json",
                                 params={"filename": name}, data=b"%PDF-or-PNG bytes",
                                 headers={"Content-Type": kind},
                                 auth=(f"{ZD_EMAIL}/token", ZD_TOKEN), timeout=5)
        tokens.append(uploaded.json()["upload"]["token"])
    w.zendesk.agent_comment(tid, "Here they are.", uploads=tokens)
    assert w.reply_round(conv, tid) is None
    sent = w.sent()
    assert [s["text"] for s in sent] == ["Here they are.", None, None]
    files = [s["attachment"] for s in sent[1:]]
    assert [f["type"] for f in files] == ["image", "file"]
    for f, name in zip(files, ("label.png", "terms.pdf"), strict=True):
        url = f["payload"]["url"]
        assert url.startswith(w.zendesk.base_url) and url.endswith(f"?name={name}")
        assert requests.get(url, timeout=5).content == b"%PDF-or-PNG bytes"  # fetchable
    assert not any("not sent" in note.text for note in w.private_notes(tid))


def test_private_notes_and_the_bridges_own_comments_are_never_sent(
        sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "hi")
    w.zendesk.agent_comment(tid, "Internal: VIP customer, refund approved", public=False)
    registry.helpdesk().add_internal_note(str(tid), "Bridge note: written by the bridge")
    w.zendesk.agent_comment(tid, "public, but by the bridge's API user", author_id=w.API_USER)
    assert w.reply_round(conv, tid) is None
    assert w.sent() == []

    assert w.agent_says(conv, tid, "Your refund is on its way") is None
    assert [s["text"] for s in w.sent()] == ["Your refund is on its way"]


def test_html_only_agent_comment_reaches_the_customer_as_plain_text(
        sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = w.started(PSID, "hi")
    html = ("<p>Thanks for waiting.</p><p>Your order <b>#123</b> ships today &amp; "
            "arrives <i>Friday</i>.<br>Regards</p>")
    w.zendesk.agent_comment(tid, "", html_body=html)
    assert w.reply_round(conv, tid) is None
    (sent,) = w.sent()
    assert sent["text"] == (
        "Thanks for waiting.\n\nYour order #123 ships today & arrives Friday.\nRegards")


# ---- Zendesk failures ------------------------------------------------------------------


def test_timeout_is_retried_without_a_duplicate_ticket(sqlite_world: World) -> None:
    w = sqlite_world
    conv, _, delay = scenarios.create_answer_lost(w, "hello")  # created; the answer is lost
    _, tid, ticket = scenarios.recovered(w, conv, delay)
    lookups = [r for r in w.log() if r["method"] == "GET" and r["path"] == "/api/v2/tickets.json"]
    assert [r["query"].get("external_id") for r in lookups] == [ticket["external_id"]]

    w.writes_later(conv, PSID, "still there?", after=60)
    assert w.public_bodies(tid) == ["hello", "still there?"]
    assert len(w.tickets()) == 1
