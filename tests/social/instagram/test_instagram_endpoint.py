"""Instagram bodies through ``POST /webhooks/meta``: DMs and comments both parse an
``instagram`` body, each takes its own entries, and the answer counts each event once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.web.conftest import Web, build_web, inbox_rows, post_meta
from tests.web.conftest import unused_port as unused_port  # the fixture, for build_web

OURS = Path(__file__).resolve().parents[2] / "fixtures" / "instagram_comments"


@pytest.fixture
def web(env: pytest.MonkeyPatch, sqlite_url: str, unused_port: int) -> Iterator[Web]:
    yield from build_web(env, sqlite_url, unused_port)


def answer(web: Web, body: bytes) -> dict[str, object]:
    response = post_meta(web.client, body)
    assert response.status_code == 200, response.get_data()
    data = response.get_json()
    assert isinstance(data, dict)
    return data


def test_a_dm_is_stored_as_instagram(web: Web) -> None:
    body = shared_path("fixtures", "instagram", "dm_text_message.json").read_bytes()
    assert answer(web, body) == {"status": "accepted", "messages": 1, "ignored": 0}
    (row,) = inbox_rows()
    assert (row.channel, row.account_id, row.thread_id) == ("instagram", "1234567890", "5678")


def test_a_comment_is_stored_as_instagram_comment(web: Web) -> None:
    body = (OURS / "comment.json").read_bytes()
    assert answer(web, body) == {"status": "accepted", "messages": 1, "ignored": 0}
    (row,) = inbox_rows()
    assert (row.channel, row.thread_id) == ("instagram_comment", "17890000000000001")


def test_insights_and_likes_are_ignored_once(web: Web) -> None:
    for name in ("story_insights_event_dashboard_sample.json", "dm_like_heart.json"):
        body = shared_path("fixtures", "instagram", name).read_bytes()
        assert answer(web, body) == {"status": "accepted", "messages": 0, "ignored": 1}
    assert inbox_rows() == []
