"""Messenger → Zendesk → Messenger through the real pipeline and the real adapters.

Each test plays Meta (webhook bodies as Meta sends them) and a Zendesk agent (through
the emulator's agent actions), runs the conversation in-process, and asserts on what
the emulators hold and on the Zendesk request log: what Zendesk would store and bill.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests

from bridge import db, failed, pipeline, registry
from tests.integration.conftest import API_USER, PAGE, T0, ZD_EMAIL, ZD_TOKEN, World

PSID = "6543210987654321"
OTHER_PSID = "1112223334445556"
CREATE_USER = "POST /api/v2/users/create_or_update.json"
CREATE_TICKET = "POST /api/v2/tickets.json"
UPLOAD = "POST /api/v2/uploads.json"
TICKETS_PATH = r"^/api/v2/tickets\.json$"
DAY = 86400.0
SCRIPTS = {
    "arabic": "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣",
    "armenian": "Բարև, իմ պատվերը դեռ չի հասել",
    "thai": "สวัสดีครับ คำสั่งซื้อของฉันยังไม่มาถึง",
    "persian": "سلام، سفارش من هنوز نرسیده است\u200c لطفاً",
    "hebrew": "שלום, ההזמנה שלי עדיין לא הגיעה",
    "emoji": "👨\u200d👩\u200d👧 🇦🇲 👍🏽 ❤️ e\u0301  \n\n  spaced\ttext  ",
}


def put(ticket_id: int) -> str:
    return f"PUT /api/v2/tickets/{ticket_id}.json"


def started(w: World, *texts: str, psid: str = PSID) -> tuple[int, int]:
    """A conversation whose ticket exists: (conversation id, ticket id)."""
    conv = w.writes(psid, *texts)
    assert w.run(conv) is None
    return conv, w.ticket_id(conv)


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.02)


def reply_round(w: World, conv: int, ticket_id: int) -> None:
    """Zendesk's webhook about the ticket, then the worker."""
    assert w.agent_webhook(ticket_id) == conv
    assert w.run(conv) is None


# ---- customer → Zendesk ----------------------------------------------------------------


def test_new_conversation_is_one_ticket_in_two_calls(world: World) -> None:
    w = world
    w.graph.state.set_profile(PSID, "Ana", "García")
    text = "My order has not arrived\nOrder #123, placed on Monday"
    conv = w.writes(PSID, text)
    assert w.run(conv) is None

    assert w.calls() == [CREATE_USER, CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    requester = w.user(ticket["requester_id"])
    assert requester["role"] == "end-user"
    assert requester["external_id"] == f"messenger:{PAGE}:{PSID}"
    assert requester["name"] == "Ana García"
    assert {"social", "messenger"} <= set(ticket["tags"])
    assert ticket["subject"] == "My order has not arrived"
    (first,) = w.comments(tid)
    assert first["body"] == text and ticket["description"] == text
    assert first["public"] is True and first["author_id"] == ticket["requester_id"]

    w.clock.advance(60)
    mark = w.mark()
    w.writes(PSID, "Any news?")
    assert w.run(conv) is None
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
    conv = w.writes(PSID, *texts[:3])  # one webhook carrying three messages
    for i, text in enumerate(texts[3:]):  # then one webhook each
        w.clock.advance(10 + i)
        assert w.writes(PSID, text) == conv
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    assert w.public_bodies(tid) == texts
    assert [c["body"].encode() for c in w.comments(tid)] == [t.encode() for t in texts]
    assert ticket["subject"] == texts[0]
    assert w.calls() == [CREATE_USER, CREATE_TICKET] + [put(tid)] * (len(texts) - 1)


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
    conv, tid = started(w, "I will send you something")
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
    conv, tid = started(w, "hello")
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
    conv, tid = started(w, "where to pick it up?")
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
    conv, tid = started(w, "see this")
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
    conv, tid = started(w, "hi")
    product = {"type": "product", "payload": {"product": {"elements": [{"id": "42"}]}}}
    w.deliver(w.payload(w.item(PSID, "this product", attachments=[product])))
    assert w.run(conv) is None
    assert w.comments(tid)[-1]["body"] == "this product\n\n[unsupported attachment: product]"


@pytest.mark.parametrize("status", ["pending", "solved", "hold"])
def test_pending_or_solved_ticket_is_reopened(sqlite_world: World, status: str) -> None:
    w = sqlite_world
    conv, tid = started(w, "first")
    w.zendesk.set_status(tid, status)
    assert w.tickets()[tid]["status"] == status
    w.clock.advance(3600)
    mark = w.mark()
    w.writes(PSID, "are you there?")
    assert w.run(conv) is None
    assert w.calls(mark) == [put(tid)]
    assert list(w.tickets()) == [tid]
    assert w.tickets()[tid]["status"] == "open"
    assert w.public_bodies(tid) == ["first", "are you there?"]


def test_closed_ticket_gets_a_followup(world: World) -> None:
    w = world
    conv, old = started(w, "first")
    w.zendesk.set_status(old, "solved")
    w.zendesk.set_status(old, "closed")
    w.clock.advance(5 * DAY)
    mark = w.mark()
    w.writes(PSID, "it broke again")
    assert w.run(conv) is None

    new = w.ticket_id(conv)
    assert new != old
    assert w.calls(mark) == [put(old), CREATE_TICKET]
    refused, created = w.log(mark)
    assert refused["status"] == 422 and created["status"] == 201
    assert created["json"]["ticket"]["via_followup_source_id"] == old
    tickets = w.tickets()
    assert tickets[new]["via"]["source"]["rel"] == "follow_up"
    assert tickets[new]["via"]["source"]["from"]["ticket_id"] == old
    assert tickets[old]["followup_ids"] == [new]
    assert tickets[old]["status"] == "closed"
    assert w.public_bodies(old) == ["first"]
    assert w.public_bodies(new) == ["it broke again"]
    assert tickets[new]["requester_id"] == tickets[old]["requester_id"]
    assert {"social", "messenger"} <= set(tickets[new]["tags"])

    w.clock.advance(60)
    mark = w.mark()
    w.writes(PSID, "hello?")
    assert w.run(conv) is None
    assert w.calls(mark) == [put(new)]
    assert w.public_bodies(new) == ["it broke again", "hello?"]
    assert len(w.tickets()) == 2


def test_image_to_a_closed_ticket_is_uploaded_once(sqlite_world: World) -> None:
    w = sqlite_world
    conv, old = started(w, "first")
    w.zendesk.set_status(old, "solved")
    w.zendesk.set_status(old, "closed")
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
    conv, tid = started(w, "hi")
    w.clock.advance(600)
    text = "Hello from support — ¿en qué podemos ayudar? 🙂\nWe are on it."
    w.zendesk.agent_comment(tid, text)
    mark = w.mark()
    reply_round(w, conv, tid)
    assert all(call.startswith("GET ") for call in w.calls(mark))  # reading only
    (sent,) = w.sent()
    assert sent["recipient"] == PSID and sent["page_id"] == PAGE
    assert sent["messaging_type"] == "RESPONSE" and sent["tag"] is None
    assert sent["text"] == text

    reply_round(w, conv, tid)  # another webhook about the same ticket
    assert len(w.sent()) == 1


def test_agent_files_reach_messenger_after_the_text(world: World) -> None:
    """An agent attaches a photo and a PDF in Zendesk: the customer gets the text, then
    each file by its Zendesk link, and no note says a file was left behind."""
    w = world
    conv, tid = started(w, "can you send the label?")
    tokens = []
    for name, kind in (("label.png", "image/png"), ("terms.pdf", "application/pdf")):
        uploaded = requests.post(f"{w.zendesk.base_url}/api/v2/uploads.json",
                                 params={"filename": name}, data=b"%PDF-or-PNG bytes",
                                 headers={"Content-Type": kind},
                                 auth=(f"{ZD_EMAIL}/token", ZD_TOKEN), timeout=5)
        tokens.append(uploaded.json()["upload"]["token"])
    w.zendesk.agent_comment(tid, "Here they are.", uploads=tokens)
    reply_round(w, conv, tid)
    sent = w.sent()
    assert [s["text"] for s in sent] == ["Here they are.", None, None]
    files = [s["attachment"] for s in sent[1:]]
    assert [f["type"] for f in files] == ["image", "file"]
    for f, name in zip(files, ("label.png", "terms.pdf"), strict=True):
        url = f["payload"]["url"]
        assert url.startswith(w.zendesk.base_url) and url.endswith(f"?name={name}")
        assert requests.get(url, timeout=5).content == b"%PDF-or-PNG bytes"  # fetchable
    assert not any("not sent" in body for body in
                   (c["body"] for c in w.comments(tid) if not c["public"]))


def test_private_notes_and_the_bridges_own_comments_are_never_sent(
        sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.zendesk.agent_comment(tid, "Internal: VIP customer, refund approved", public=False)
    registry.helpdesk().add_internal_note(str(tid), "Bridge note: written by the bridge")
    w.zendesk.agent_comment(tid, "public, but by the bridge's API user", author_id=API_USER)
    reply_round(w, conv, tid)
    assert w.sent() == []

    w.zendesk.agent_comment(tid, "Your refund is on its way")
    reply_round(w, conv, tid)
    assert [s["text"] for s in w.sent()] == ["Your refund is on its way"]


def test_agent_reply_survives_a_refused_ticket_read(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.zendesk.agent_comment(tid, "Your refund is on its way")
    w.configure(ZENDESK_API_TOKEN="revoked-token")
    assert w.agent_webhook(tid) == conv
    w.run(conv)  # must end in a visible failure or a retry, not an exception
    w.configure()  # the operator installs the right token
    with db.session() as s:
        refs = [item.ref for item in failed.list_failed(s)]
        if refs:
            failed.replay(s, refs)
    w.clock.advance(3600)
    w.run_until_idle(conv)  # what the sweep (or the retry countdown) does
    assert [m["text"] for m in w.sent()] == ["Your refund is on its way"]


def test_reply_after_three_days_goes_with_the_human_agent_tag(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    assert w.graph.state.last_customer_message[PSID] == T0
    w.clock.advance(3 * DAY)
    w.zendesk.agent_comment(tid, "Sorry for the wait")
    reply_round(w, conv, tid)
    (sent,) = w.sent()
    assert (sent["messaging_type"], sent["tag"], sent["text"]) == (
        "MESSAGE_TAG", "HUMAN_AGENT", "Sorry for the wait")


def test_reply_after_eight_days_is_not_sent_and_a_note_says_why(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.clock.advance(8 * DAY)
    w.zendesk.agent_comment(tid, "Are you still there?")
    reply_round(w, conv, tid)
    assert w.sent() == []
    (note,) = [c for c in w.comments(tid) if not c["public"]]
    assert note["author_id"] == API_USER
    assert "not delivered" in note["body"]
    assert "8 days ago" in note["body"] and "7 days" in note["body"]

    reply_round(w, conv, tid)  # the note itself is never mirrored, nor written twice
    assert w.sent() == []
    assert len([c for c in w.comments(tid) if not c["public"]]) == 1


def test_html_only_agent_comment_reaches_the_customer_as_plain_text(
        sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    html = ("<p>Thanks for waiting.</p><p>Your order <b>#123</b> ships today &amp; "
            "arrives <i>Friday</i>.<br>Regards</p>")
    w.zendesk.agent_comment(tid, "", html_body=html)
    reply_round(w, conv, tid)
    (sent,) = w.sent()
    assert sent["text"] == (
        "Thanks for waiting.\n\nYour order #123 ships today & arrives Friday.\nRegards")


# ---- Zendesk failures ------------------------------------------------------------------


def test_rate_limit_is_a_wait_at_retry_after_not_a_sleep(world: World) -> None:
    w = world
    w.zendesk.add_fault(TICKETS_PATH, method="POST", status=429, retry_after=30)
    conv = w.writes(PSID, "first", "second")
    began = time.monotonic()
    delay = pipeline.run_conversation(conv)
    assert time.monotonic() - began < 2
    assert delay == pytest.approx(30, abs=1)

    assert w.calls() == [CREATE_USER, CREATE_TICKET]
    assert w.log()[-1]["status"] == 429
    assert w.tickets() == {}
    head, second = w.rows(conv)
    assert (head.state, head.attempts) == ("pending", 0)
    assert "429" in (head.last_error or "")
    assert (second.state, second.attempts) == ("pending", 0)  # did not overtake
    assert pipeline.due_conversations() == []

    w.clock.advance(31)
    assert pipeline.due_conversations() == [conv]
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.public_bodies(tid) == ["first", "second"]
    assert [r.state for r in w.rows(conv)] == ["done", "done"]


def test_server_errors_back_off_then_one_ticket(sqlite_world: World) -> None:
    w = sqlite_world
    w.zendesk.add_fault(TICKETS_PATH, method="POST", status=500, count=2)
    conv = w.writes(PSID, "hello")
    assert w.run_until_idle(conv) == 2
    creates = [r["status"] for r in w.log() if f"{r['method']} {r['path']}" == CREATE_TICKET]
    assert creates == [500, 500, 201]
    ((tid, _),) = w.tickets().items()
    assert w.public_bodies(tid) == ["hello"]
    (row,) = w.rows(conv)
    assert (row.state, row.attempts) == ("done", 3)


def test_timeout_is_retried_without_a_duplicate_ticket(sqlite_world: World) -> None:
    w = sqlite_world
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    # Zendesk creates the ticket, then answers too late: the answer is lost.
    w.zendesk.add_fault(TICKETS_PATH, method="POST", delay=2.0, delay_after_commit=True)
    conv = w.writes(PSID, "hello")
    began = time.monotonic()
    delay = w.run(conv)
    assert time.monotonic() - began < 2
    assert delay is not None and delay > 0
    (row,) = w.rows(conv)
    assert row.state == "sending" and "timed out" in (row.last_error or "")
    wait_for(w.tickets)
    assert len(w.tickets()) == 1

    w.clock.advance(delay + 1)
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    assert w.calls().count(CREATE_TICKET) == 1
    lookups = [r for r in w.log() if r["method"] == "GET" and r["path"] == "/api/v2/tickets.json"]
    assert [r["query"].get("external_id") for r in lookups] == [
        w.tickets()[tid]["external_id"]]

    w.clock.advance(60)
    w.writes(PSID, "still there?")
    assert w.run(conv) is None
    assert w.public_bodies(tid) == ["hello", "still there?"]
    assert len(w.tickets()) == 1


def test_repeated_text_after_a_recovered_create_is_not_lost(sqlite_world: World) -> None:
    w = sqlite_world
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.zendesk.add_fault(TICKETS_PATH, method="POST", delay=2.0, delay_after_commit=True)
    conv = w.writes(PSID, "Hi")
    delay = w.run(conv)
    assert delay is not None
    wait_for(w.tickets)
    w.clock.advance(delay + 1)
    assert w.run(conv) is None  # recovered by external_id, no duplicate
    tid = w.ticket_id(conv)
    # Unanswered, the customer says it again; Zendesk fails that update (500, not applied).
    w.zendesk.add_fault(rf"^/api/v2/tickets/{tid}\.json$", method="PUT", status=500)
    w.clock.advance(60)
    w.writes(PSID, "Hi")
    w.run_until_idle(conv)
    assert w.public_bodies(tid) == ["Hi", "Hi"]


def test_invalid_token_fails_visibly_and_replays_once_fixed(sqlite_world: World) -> None:
    w = sqlite_world
    w.configure(ZENDESK_API_TOKEN="revoked-token")
    conv = w.writes(PSID, "hello")
    assert w.run(conv) is None
    (row,) = w.rows(conv)
    assert row.state == "failed"
    assert "credentials" in (row.last_error or "")
    assert "ZENDESK_API_TOKEN" in (row.last_error or "")
    assert [r["status"] for r in w.log()] == [401]
    with db.session() as s:
        (item,) = failed.list_failed(s)
    assert (item.ref, item.conversation_id) == (f"in-{row.id}", conv)
    assert "credentials" in item.error

    w.configure()  # the operator installs the right token
    with db.session() as s:
        assert failed.replay(s, [item.ref]) == [conv]
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.public_bodies(tid) == ["hello"]
    assert w.calls().count(CREATE_TICKET) == 1
    with db.session() as s:
        assert failed.list_failed(s) == []
