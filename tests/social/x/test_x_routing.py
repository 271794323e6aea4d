"""Threading on SQLite and PostgreSQL: replies join the conversation of the post they
answer (a customer's post in the inbox, or one of our delivered replies), and a reply post
goes under the customer's latest post."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bridge import db, ingest, routing
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.models import Conversation, Delivery, InboxMessage, SentMessage
from bridge.social.x.threads import latest_customer_post
from tests.conftest import apply_env

ACCOUNT = "2975699229"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CUSTOMER = Sender("1205290247124217856", "pennbrooke", "pennbrooke1")


@pytest.fixture
def database(env: pytest.MonkeyPatch, database_url: str) -> str:
    apply_env(env, DATABASE_URL=database_url)
    return database_url


def post(tweet_id: str, minute: int, in_reply_to: str | None = None,
         account: str = ACCOUNT, text: str = "help") -> InboundMessage:
    return InboundMessage(ThreadKey("x", account, f"tweet:{tweet_id}"), tweet_id, CUSTOMER,
                          T0 + timedelta(minutes=minute), text, in_reply_to=in_reply_to)


def dm(event_id: str, minute: int) -> InboundMessage:
    return InboundMessage(ThreadKey("x", ACCOUNT, f"dm:{CUSTOMER.external_id}"),
                          f"dm:{event_id}", CUSTOMER, T0 + timedelta(minutes=minute), "hi")


def deliver(*messages: InboundMessage) -> list[int]:
    """What the webhook and then the route task do: the conversations touched."""
    ids = ingest.store_messages(messages)
    with db.session() as s:
        return routing.route(s, ids)


def conversation_of(message_id: str, account: str = ACCOUNT) -> int:
    with db.session() as s:
        found = s.scalar(select(InboxMessage.conversation_id).where(
            InboxMessage.account_id == account, InboxMessage.message_id == message_id))
    assert found is not None
    return found


def thread_of(conv_id: int) -> str:
    with db.session() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        return conv.thread_id


def test_a_reply_joins_the_conversation_of_the_post_it_answers(database: str) -> None:
    (first,) = deliver(post("100", 0))
    assert deliver(post("101", 1, in_reply_to="100")) == [first]
    assert deliver(post("102", 2, in_reply_to="101")) == [first]  # a reply to the reply
    assert thread_of(first) == "tweet:100"


def test_parent_and_reply_in_one_batch_land_together(database: str) -> None:
    convs = deliver(post("200", 0), post("201", 1, in_reply_to="200"),
                    post("202", 2, in_reply_to="201"))
    assert len(convs) == 1
    assert {conversation_of(m) for m in ("200", "201", "202")} == set(convs)


def test_an_unrouted_parent_is_followed_to_its_own_thread(database: str) -> None:
    ids = ingest.store_messages([post("300", 0), post("301", 1, in_reply_to="300")])
    with db.session() as s:
        (conv,) = routing.route(s, [ids[1]])  # the reply's route task runs first
        assert routing.route(s, [ids[0]]) == [conv]
    assert thread_of(conv) == "tweet:300"


def sent(conv: int, *post_ids: str, channel: str = "x", account: str = ACCOUNT,
         record: bool = True) -> None:
    """A delivered reply of ours on ``conv``; ``record``: its ids in ``sent_messages``, as
    the worker files them on each send."""
    with db.session() as s:
        d = Delivery(helpdesk="zendesk", comment_id=f"c-{post_ids[0]}", conversation_id=conv,
                     ticket_id="7", body="Sorry!", state="sent",
                     platform_message_ids=json.dumps(list(post_ids)))
        s.add(d)
        s.flush()
        if record:
            s.add_all(SentMessage(channel=channel, account_id=account, message_id=m,
                                  delivery_id=d.id) for m in post_ids)
        s.commit()


def test_a_reply_to_one_of_our_replies_joins_its_conversation(database: str) -> None:
    (conv,) = deliver(post("400", 0))
    sent(conv, "1900000000000000001", "1900000000000000002")  # a reply in two posts
    assert deliver(post("401", 5, in_reply_to="1900000000000000002")) == [conv]
    assert deliver(post("402", 6, in_reply_to="1900000000000000001")) == [conv]


def test_our_replies_are_found_by_their_sent_messages_only(database: str) -> None:
    """Equality on ``sent_messages``: ids only in a delivery's JSON, a prefix of a sent
    id, or another account's send do not thread."""
    (conv,) = deliver(post("410", 0))
    sent(conv, "1900000000000000011", record=False)
    sent(conv, "1900000000000000012", account="111")
    sent(conv, "1900000000000000013")
    convs = [deliver(post(tid, 5, in_reply_to=parent))[0] for tid, parent in (
        ("411", "1900000000000000011"), ("412", "1900000000000000012"),
        ("413", "190000000000000001"))]
    assert conv not in convs
    assert [thread_of(c) for c in convs] == ["tweet:411", "tweet:412", "tweet:413"]


def test_a_sent_id_filed_under_another_channel_does_not_thread(database: str) -> None:
    """A private reply files its ids under the DM channel while its delivery stays on the
    comment's conversation: only a delivery on the row's own channel counts."""
    with db.session() as s:
        comment_conv = routing.conversation_for(s, "facebook_comment", ACCOUNT, "post:1")
        s.commit()
    sent(comment_conv, "1900000000000000021")  # filed as "x" on a non-X conversation
    (own,) = deliver(post("421", 1, in_reply_to="1900000000000000021"))
    assert own != comment_conv and thread_of(own) == "tweet:421"


def test_a_reply_to_something_unknown_starts_its_own_conversation(database: str) -> None:
    (known,) = deliver(post("500", 0))
    (other,) = deliver(post("501", 1, in_reply_to="499"))
    assert other != known and thread_of(other) == "tweet:501"


def test_the_parent_must_belong_to_the_same_account(database: str) -> None:
    (theirs,) = deliver(post("600", 0, account="111"))
    (ours,) = deliver(post("601", 1, in_reply_to="600"))
    assert ours != theirs and thread_of(ours) == "tweet:601"


def test_a_deletion_lands_on_the_deleted_posts_conversation(database: str) -> None:
    (conv,) = deliver(post("700", 0), post("701", 1, in_reply_to="700"))
    deletion = InboundMessage(ThreadKey("x", ACCOUNT, "tweet:701"), "delete:701", CUSTOMER,
                              T0 + timedelta(minutes=2), kind="delete", refers_to="701",
                              in_reply_to="701")
    assert deliver(deletion) == [conv]


def test_rows_without_a_parent_are_routed_by_their_thread(database: str) -> None:
    (a,) = deliver(dm("1", 0))
    assert deliver(dm("2", 1)) == [a]
    assert thread_of(a) == f"dm:{CUSTOMER.external_id}"


def test_latest_customer_post_is_the_newest_not_deleted(database: str) -> None:
    (conv,) = deliver(post("800", 0), post("801", 3, in_reply_to="800"),
                      post("802", 6, in_reply_to="801"))
    thread = ThreadKey("x", ACCOUNT, "tweet:800")
    assert latest_customer_post(thread) == "802"
    deliver(InboundMessage(ThreadKey("x", ACCOUNT, "tweet:802"), "delete:802", CUSTOMER,
                           T0 + timedelta(minutes=9), kind="delete", refers_to="802",
                           in_reply_to="802"))
    assert latest_customer_post(thread) == "801"
    assert latest_customer_post(ThreadKey("x", ACCOUNT, "tweet:999")) is None
    assert latest_customer_post(ThreadKey("x", ACCOUNT, f"dm:{CUSTOMER.external_id}")) is None
    assert conversation_of("802") == conv
