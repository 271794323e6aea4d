"""Pure helpers of the Freshdesk adapter: text and HTML, tags, statuses, errors, pacing."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests

from bridge import clock
from bridge.errors import NotFound, PermanentError, TransientError
from bridge.freshdesk.client import FreshdeskClient, RatePacer, form_fields
from bridge.freshdesk.mapping import (
    error_for_response,
    error_text,
    followup_of_from_tags,
    followup_tag,
    html_to_text,
    marker_tag,
    normalise_status,
    priority_value,
    text_from_html,
    text_to_html,
    ticket_tags,
)
from bridge.freshdesk.payloads import ApiTicket, next_page_url
from bridge.retry_after import retry_after_seconds
from tests.freshdesk import CANNED_URL, CannedFreshdesk

TEXTS = [
    "", " ", "\n", "\r\n", "a\r\nb\rc\nd", "  leading and trailing  ", "tab\there",
    "<script>alert(1)</script>", "&amp; &lt; &#13; &nbsp;", "a <br> b", "<br>", "\u00a0nbsp",
    "مرحبا\nשלום", "👨‍👩‍👧 🇦🇲 e\u0301", "\n\n\nthree blank lines\n\n\n", "'quotes' \"double\"",
    "</div>", '<div style="white-space: pre-wrap">nested</div>', "\ufeffbom", "\x00\x01 control",
]


@pytest.mark.parametrize("text", TEXTS)
def test_customer_text_round_trips_exactly(text: str) -> None:
    encoded = text_to_html(text)
    assert "\n" not in encoded and "\r" not in encoded
    assert text_from_html(encoded) == text


def test_random_text_round_trips_exactly() -> None:
    rng = random.Random(20240607)
    alphabet = "ab <>&;#\n\r\t'\"/=\u00a0\u200dé€😀ש"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert text_from_html(text_to_html(text)) == text


def test_encoding_is_html_escaped_with_br() -> None:
    assert text_to_html("a < b & c\nd\r\n") == (
        '<div style="white-space: pre-wrap">a &lt; b &amp; c<br>d&#13;<br></div>')


@pytest.mark.parametrize("html, text", [
    ("<div>Hello</div>", "Hello"),
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("<div>line<br>next</div>", "line\nnext"),
    ("<div>Thanks &amp; bye&nbsp;now</div>", "Thanks & bye\u00a0now"),
    ("Plain text, no tags", "Plain text, no tags"),
    ("<div>Answer</div><div class=\"freshdesk_quote\"><blockquote class=\"freshdesk_quote\">"
     "On Mon, Ana wrote:<br>old</blockquote></div>", "Answer"),
    ("<div>a<img src=x>b</div><style>p{}</style>", "ab"),
    ("<div>keep</div>\n<div>\n  spaced   words </div>", "keep\nspaced words"),
    ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    ("<pre>  code\n    indented</pre>", "code\nindented"),
])
def test_agent_html_is_reduced_to_text(html: str, text: str) -> None:
    assert text_from_html(html) == html_to_text(html) == text


def test_tags() -> None:
    tag = marker_tag("social-bridge-12345678901234-98765432109876")
    assert tag.startswith("bridge_") and len(tag) == 27 and tag == tag.lower()
    assert marker_tag("a") != marker_tag("b") and marker_tag("a") == marker_tag("a")
    assert ticket_tags(("social", " social ", "a,b", ""), "x", "") == ["social", "a b", "x"]
    assert followup_of_from_tags(["social", followup_tag("42")]) == "42"
    assert followup_of_from_tags(["bridge_followup_x", "bridge_abc"]) is None


@pytest.mark.parametrize("status, deleted, name", [
    (2, False, "open"), (3, False, "pending"), (4, False, "solved"), (5, False, "closed"),
    (6, False, "pending"), (7, False, "hold"), (12, False, "open"), (2, True, "closed"),
])
def test_statuses(status: int, deleted: bool, name: str) -> None:
    assert normalise_status(ApiTicket(id=1, status=status, deleted=deleted)) == name


@pytest.mark.parametrize("given, value", [
    (None, 1), ("", 1), ("low", 1), ("normal", 2), ("Medium", 2), ("high", 3), ("URGENT", 4),
    ("3", 3),
])
def test_priorities(given: str | None, value: int) -> None:
    assert priority_value(given) == value


def test_priority_out_of_range() -> None:
    for bad in ("5", "0", "critical"):
        with pytest.raises(PermanentError):
            priority_value(bad)


@pytest.mark.parametrize("body, text", [
    ('{"description":"Validation failed","errors":[{"field":"email","message":"It should be '
     'a valid email address","code":"invalid_value"}]}',
     "Validation failed: email: It should be a valid email address (invalid_value)"),
    ('{"description":"Validation failed","errors":[{"field":"a","message":"m1","code":"c1"},'
     '{"field":"b","message":"m2","code":"c2"}]}', "Validation failed: a: m1 (c1); b: m2 (c2)"),
    ('{"code":"access_denied","message":"You are not authorized to perform this action."}',
     "You are not authorized to perform this action. (access_denied)"),
    ('{"message":"You have exceeded the limit of requests per minute"}',
     "You have exceeded the limit of requests per minute"),
    ("<html><body>\n  <h1>502 Bad Gateway</h1>\n</body></html>",
     "<html><body> <h1>502 Bad Gateway</h1> </body></html>"),
    ("", "(empty body)"),
    ('["odd"]', '["odd"]'),
    ("{}", "{}"),
])
def test_error_text(body: str, text: str) -> None:
    assert error_text(body) == text


def test_error_mapping() -> None:
    assert error_for_response(200, "", None) is None
    limited = error_for_response(429, "{}", "17")
    assert isinstance(limited, TransientError) and limited.retry_after == 17.0
    for status in (500, 502, 503, 504, 408):
        error = error_for_response(status, "", None)
        assert isinstance(error, TransientError) and error.retry_after is None
    refused = error_for_response(401, '{"code":"invalid_credentials","message":"x"}', None)
    assert type(refused) is PermanentError and "check FRESHDESK_API_KEY" in str(refused)
    denied = error_for_response(403, '{"code":"access_denied","message":"no"}', None)
    assert type(denied) is PermanentError and "refused access (403)" in str(denied)
    missing = error_for_response(404, "", None)
    assert type(missing) is NotFound and str(missing) == (
        "Freshdesk: not found (404): (empty body)")
    conflict = error_for_response(409, '{"description":"Validation failed","errors":[]}', None)
    assert type(conflict) is PermanentError and "(409)" in str(conflict)


def test_retry_after_as_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    clock.set_clock(lambda: now)
    try:
        assert retry_after_seconds(format_datetime(datetime(2025, 1, 1, 12, 0, 45,
                                                            tzinfo=UTC), usegmt=True)) == 45
        assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
        assert retry_after_seconds("-4") == 0.0
    finally:
        clock.set_clock(None)


def headers(remaining: int, total: int = 100) -> dict[str, str]:
    return {"X-RateLimit-Remaining": str(remaining), "X-RateLimit-Total": str(total),
            "X-RateLimit-Used-CurrentRequest": "1"}


def test_pacer_thresholds() -> None:
    assert [RatePacer.threshold(t) for t in (None, 0, 40, 60, 100, 700, 3000)] == [
        3, 3, 3, 3, 5, 35, 150]


def test_pacer_waits_for_the_window_to_reset() -> None:
    now = [0.0]
    pacer = RatePacer(lambda: now[0])
    pacer.observe(headers(99), 200, None)  # the window starts (as far as we know)
    now[0] = 10.0
    pacer.observe(headers(6), 200, None)
    pacer.check()  # 6 > 5: go on
    now[0] = 12.0
    pacer.observe(headers(5), 200, None)
    with pytest.raises(TransientError) as caught:
        pacer.check()
    assert caught.value.retry_after == 48.0  # 60 s after the window started
    now[0] = 59.2
    with pytest.raises(TransientError) as again:
        pacer.check()
    assert again.value.retry_after == 1.0
    now[0] = 60.0
    pacer.check()
    now[0] = 61.0
    pacer.observe(headers(99), 200, None)  # the count went back up: a new window
    pacer.check()
    assert (pacer.remaining, pacer.total, pacer.used_by_last) == (99, 100, 1)


def test_pacer_after_a_429_and_without_headers() -> None:
    now = [100.0]
    pacer = RatePacer(lambda: now[0])
    pacer.observe({}, 200, None)
    pacer.check()
    pacer.observe({"Retry-After": "20"}, 429, 20.0)
    with pytest.raises(TransientError) as caught:
        pacer.check()
    assert caught.value.retry_after == 20.0
    now[0] = 121.0
    pacer.check()
    pacer.observe({}, 429, None)  # no Retry-After: wait a minute
    with pytest.raises(TransientError) as again:
        pacer.check()
    assert again.value.retry_after == 60.0


def test_stale_low_reading_does_not_block_forever() -> None:
    now = [0.0]
    pacer = RatePacer(lambda: now[0])
    pacer.observe(headers(2), 200, None)
    now[0] = 61.0
    pacer.check()
    pacer.observe(headers(2), 200, None)  # still low a minute on: another window guessed
    with pytest.raises(TransientError) as caught:
        pacer.check()
    assert caught.value.retry_after == 60.0


def test_form_fields() -> None:
    assert form_fields({"subject": "Hi", "status": 2, "private": False, "tags": ["a", "b"],
                        "custom_fields": {"cf_vip": True, "cf_n": 3}, "none": None}) == [
        ("subject", "Hi"), ("status", "2"), ("private", "false"), ("tags[]", "a"),
        ("tags[]", "b"), ("custom_fields[cf_vip]", "true"), ("custom_fields[cf_n]", "3"),
        ("none", "")]


def test_next_page_url() -> None:
    link = ('<https://acme.freshdesk.com/api/v2/tickets/1/conversations?page=2&per_page=100>;'
            ' rel="next"')
    assert next_page_url(link) == (
        "https://acme.freshdesk.com/api/v2/tickets/1/conversations?page=2&per_page=100")
    assert next_page_url('<https://x/y?page=1>; rel="prev"') is None
    assert next_page_url(None) is None and next_page_url("") is None


def test_non_json_answers() -> None:
    client = FreshdeskClient(CANNED_URL, "k", 2)
    client.session.mount(CANNED_URL, CannedFreshdesk({
        ("GET", "/api/v2/agents/me"): (200, b"<html>Sign up for Freshdesk</html>"),
        ("GET", "/api/v2/tickets/1"): (503, b"<html>Service Unavailable</html>",
                                       {"Retry-After": "5"}),
        ("GET", "/api/v2/tickets/2"): (404, b""),
    }))
    with pytest.raises(PermanentError, match=r"non-JSON.*FRESHDESK_DOMAIN"):
        client.request("GET", "agents/me")
    with pytest.raises(TransientError, match="Service Unavailable") as caught:
        client.request("GET", "tickets/1")
    assert caught.value.retry_after == 5.0
    assert client.request("GET", "tickets/2", allow=(404,)).status == 404


def test_unexpected_request_errors_are_permanent() -> None:
    client = FreshdeskClient("http://[invalid", "k", 1)
    with pytest.raises(PermanentError, match="request failed"):
        client.request("GET", "agents/me")
    assert isinstance(requests.exceptions.InvalidURL("x"), requests.RequestException)
