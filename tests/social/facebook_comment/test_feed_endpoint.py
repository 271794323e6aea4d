"""Page bodies through ``POST /webhooks/meta``: Messenger and page comments both parse a
``page`` body, each takes its own entries, and the answer counts each event once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.domain import InboundMessage
from tests.conftest import apply_env
from tests.web.conftest import Web, build_web, inbox_rows, post_meta
from tests.web.conftest import unused_port as unused_port  # the fixture, for build_web

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "facebook_feed"


@pytest.fixture
def web(env: pytest.MonkeyPatch, sqlite_url: str, unused_port: int) -> Iterator[Web]:
    for web in build_web(env, sqlite_url, unused_port):
        apply_env(env, META_PAGE_ID="101234567890123")  # the page of the feed fixtures
        yield web


def post(web: Web, name: str) -> dict[str, object]:
    response = post_meta(web.client, (FIXTURES / name).read_bytes())
    assert response.status_code == 200, response.get_data()
    answer = response.get_json()
    assert isinstance(answer, dict)
    return answer


def test_a_comment_is_stored_once_with_nothing_ignored(web: Web) -> None:
    assert post(web, "comment_add.json") == {"status": "accepted", "messages": 1, "ignored": 0}
    (row,) = inbox_rows()
    assert (row.channel, row.account_id, row.thread_id, row.message_id) == (
        "facebook_comment", "101234567890123", "512345678901234_987654321098765",
        "512345678901234_987654321098765")
    assert InboundMessage.from_json(row.payload).link == (
        "https://www.facebook.com/101234567890123/posts/512345678901234")
    assert post(web, "comment_add.json")["messages"] == 1  # a retry stores nothing new
    assert len(inbox_rows()) == 1


def test_messenger_and_feed_in_one_body(web: Web) -> None:
    assert post(web, "messaging_and_feed.json") == {
        "status": "accepted", "messages": 2, "ignored": 1}  # the reaction
    assert sorted(r.channel for r in inbox_rows()) == ["facebook_comment", "messenger"]


def test_an_edit_and_a_removal_are_stored_as_events(web: Web) -> None:
    post(web, "comment_add.json")
    post(web, "comment_edited.json")
    post(web, "comment_remove.json")
    kinds = [InboundMessage.from_json(r.payload).kind for r in inbox_rows()]
    assert kinds == ["message", "edit", "delete"]
    assert len({r.thread_id for r in inbox_rows()}) == 1


@pytest.mark.parametrize("name", ["reaction_add.json", "page_own_reply.json",
                                  "comment_hide.json", "status_post.json"])
def test_ignored_feed_changes_store_nothing(web: Web, name: str) -> None:
    assert post(web, name) == {"status": "accepted", "messages": 0, "ignored": 1}
    assert inbox_rows() == []


def test_a_feed_entry_after_a_messaging_entry_is_read(web: Web) -> None:
    """The feed channel looks past the DM entries that come first in a body."""
    feed = json.loads((FIXTURES / "comment_add.json").read_bytes())
    dm = {"id": "101234567890123", "time": 1700000000000, "messaging": [{
        "sender": {"id": "psid-1"}, "recipient": {"id": "101234567890123"},
        "timestamp": 1700000000000, "message": {"mid": "m-dm-1", "text": "hello"}}]}
    body = json.dumps({"object": "page", "entry": [dm, *feed["entry"]]}).encode()
    response = post_meta(web.client, body)
    assert response.get_json() == {"status": "accepted", "messages": 2, "ignored": 0}
    assert sorted(r.channel for r in inbox_rows()) == ["facebook_comment", "messenger"]


@pytest.mark.parametrize("entry", ["not an object", 7, None])
def test_an_entry_that_is_not_an_object_is_refused(web: Web, entry: object) -> None:
    body = json.dumps({"object": "page", "entry": [entry]}).encode()
    response = post_meta(web.client, body)
    assert response.status_code == 400
    assert inbox_rows() == []
