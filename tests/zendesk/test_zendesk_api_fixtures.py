"""One test per file in ../shared/fixtures/zendesk_api, plus the pure mapping helpers.

Error bodies go through the adapter's error mapping; success bodies go through the adapter
itself (zenpy, URL rewrite, error mapping) over a canned transport on its own session.
Bodies the adapter has no use for are checked for shape, and against the emulator's answer
to the same call where the emulator serves it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bridge.domain import NewComment, NewTicket, Requester, Upload
from bridge.errors import PermanentError, TicketClosed, TransientError
from bridge.html_text import html_to_text
from bridge.rendering import subject_from_message
from bridge.zendesk.adapter import ZendeskHelpdesk
from bridge.zendesk.install import install
from bridge.zendesk.mapping import (
    agent_replies,
    error_for_response,
    error_text,
    normalise_status,
    ticket_tags,
)
from bridge.zendesk.payloads import ApiUser, CommentsPage, next_page_url
from tests.zendesk import (
    CANNED_URL,
    CannedZendesk,
    assert_every_fixture_has_a_test,
    emulator_answer,
    fixture_bytes,
    fixture_json,
)

FOLDER = "zendesk_api"
COMMENT = NewComment(author_id="6130907993114", body="test")


def canned(routes: dict[tuple[str, str], tuple[int, str]]) -> tuple[ZendeskHelpdesk, CannedZendesk]:
    """An adapter whose session answers each ``(method, path)`` with a fixture file."""
    helpdesk = ZendeskHelpdesk(base_url=CANNED_URL, email="bridge@example.com", token="t")
    transport = CannedZendesk(
        {key: (status, fixture_bytes(FOLDER, name)) for key, (status, name) in routes.items()}
    )
    helpdesk.session.mount(CANNED_URL, transport)
    return helpdesk, transport


def error_from(name: str, status: int) -> Exception | None:
    return error_for_response(status, fixture_bytes(FOLDER, name).decode("utf-8"), None)


# ---- error bodies ---------------------------------------------------------------------


def test_error_400_invalid_attribute_nested() -> None:
    error = error_from("error_400_invalid_attribute_nested.json", 400)
    assert type(error) is PermanentError
    assert str(error) == (
        "Zendesk rejected the request (400): Invalid attribute: "
        "You passed an invalid value for the password attribute. must be a string"
    )


def test_error_400_too_many_values() -> None:
    error = error_from("error_400_too_many_values.json", 400)
    assert type(error) is PermanentError
    assert str(error) == ("Zendesk rejected the request (400): TooManyValues: "
                          "Parameter  cannot specify more than 100 values")


def test_error_404_record_not_found() -> None:
    error = error_from("error_404_record_not_found.json", 404)
    assert type(error) is PermanentError
    assert str(error) == "Zendesk: not found (404): RecordNotFound: Not found"


def test_error_406_comment_required() -> None:
    error = error_from("error_406_comment_required.json", 406)
    assert type(error) is PermanentError
    assert str(error) == ("Zendesk rejected the request (406): CommentRequired: "
                          "A comment is required to update your request.")


def test_error_422_record_invalid_blank_description() -> None:
    error = error_from("error_422_record_invalid_blank_description.json", 422)
    assert type(error) is PermanentError  # a validation error, not a closed ticket
    assert str(error) == ("Zendesk rejected the request (422): RecordInvalid: "
                          "Record validation errors: Description: cannot be blank")


def test_error_422_record_invalid_duplicate_identity() -> None:
    error = error_from("error_422_record_invalid_duplicate_identity.json", 422)
    assert type(error) is PermanentError
    assert str(error).endswith(
        "value: Value: abcdef@example.com is already being used by another user"
    )


def test_closed_ticket_422_is_ticket_closed() -> None:
    body = ('{"error":"RecordInvalid","description":"Record validation errors","details":'
            '{"status":[{"description":"Status: closed prevents ticket update",'
            '"error":"InvalidValue"}]}}')
    assert isinstance(error_for_response(422, body, None), TicketClosed)


def test_plain_text_and_webhook_error_bodies() -> None:
    error = error_for_response(409, "Requester creation collision - please try again\n", None)
    assert isinstance(error, TransientError)
    assert str(error) == "Zendesk error (409): Requester creation collision - please try again"
    assert error_text("Required parameter missing: phone_number") == (
        "Required parameter missing: phone_number")
    assert error_text('{"errors":[{"code":"WebhookNotFound","title":"Not found",'
                      '"detail":"No webhook"}]}') == "WebhookNotFound - No webhook"
    assert error_text("") == "(empty body)"


def test_status_classes() -> None:
    limited = error_for_response(429, "", "30")
    assert isinstance(limited, TransientError) and limited.retry_after == 30.0
    assert isinstance(error_for_response(503, "<html>down</html>", None), TransientError)
    refused = error_for_response(401, '{"error": "Couldn\'t authenticate you"}', None)
    assert type(refused) is PermanentError
    assert "ZENDESK_EMAIL / ZENDESK_API_TOKEN" in str(refused)
    assert error_for_response(201, "{}", None) is None


# ---- success bodies the adapter reads ------------------------------------------------


def test_ticket_create_201() -> None:
    helpdesk, sent = canned({("POST", "/api/v2/tickets"): (201, "ticket_create_201.json")})
    ticket = NewTicket(requester_id="6130907993114", subject="test", comment=COMMENT,
                       marker="m-1", tags=("social", "x"), priority="high", group_id="5",
                       custom_fields=(("77", "vip"),), followup_of="4000")
    ref = helpdesk.create_ticket(ticket)
    assert (ref.ticket_id, ref.comment_id) == ("4014", "6164039218842")
    assert sent.sent_json(0) == {"ticket": {
        "requester_id": 6130907993114, "subject": "test", "external_id": "m-1",
        "tags": ["social", "x"], "priority": "high", "group_id": 5,
        "custom_fields": [{"id": 77, "value": "vip"}], "via_followup_source_id": 4000,
        "comment": {"body": "test", "author_id": 6130907993114, "public": True},
    }}


def test_ticket_create_with_tags_private_comment_201() -> None:
    helpdesk, _ = canned(
        {("POST", "/api/v2/tickets"): (201, "ticket_create_with_tags_private_comment_201.json")}
    )
    ticket = NewTicket(requester_id="20014192", subject="This is a question?",
                       comment=NewComment("20014192", "My comment"), marker="m-2")
    assert helpdesk.create_ticket(ticket).comment_id == "98974292"


def test_ticket_create_with_upload_201() -> None:
    helpdesk, sent = canned({
        ("POST", "/api/v2/uploads"): (201, "upload_create_201.json"),
        ("POST", "/api/v2/tickets"): (201, "ticket_create_with_upload_201.json"),
    })
    upload = Upload("README.md", "text/markdown", b"# hello")
    comment = NewComment("26155588908179", "Some comment", (upload,))
    ref = helpdesk.create_ticket(NewTicket("26155588908179", "example ticket", comment, "m-3"))
    assert (ref.ticket_id, ref.comment_id) == ("33", "33144692244499")
    assert sent.sent[0].url == f"{CANNED_URL}/api/v2/uploads.json?filename=README.md"
    assert sent.bodies[0] == b"# hello"
    assert sent.sent_json(1)["ticket"]["comment"]["uploads"] == ["NibC5xVW8SGzBilKpocGZud8c"]


def test_upload_create_201() -> None:
    helpdesk, sent = canned({
        ("POST", "/api/v2/uploads"): (201, "upload_create_201.json"),
        ("PUT", "/api/v2/tickets/4016"): (200, "ticket_update_200.json"),
    })
    upload = Upload("a.png", "image/png", b"\x89PNG")
    helpdesk.add_customer_comment("4016", NewComment("5", "see photo", (upload,)))
    assert sent.sent[0].headers["Content-Type"] == "image/png"
    assert sent.sent_json(1)["ticket"]["comment"]["uploads"] == ["NibC5xVW8SGzBilKpocGZud8c"]


def test_ticket_update_200() -> None:
    helpdesk, sent = canned({("PUT", "/api/v2/tickets/4016"): (200, "ticket_update_200.json")})
    ref = helpdesk.add_customer_comment("4016", NewComment("6130907993114", "again"))
    assert (ref.ticket_id, ref.comment_id) == ("4016", None)  # this audit added no comment
    assert sent.sent_json(0) == {"ticket": {"id": 4016, "status": "open", "comment": {
        "body": "again", "author_id": 6130907993114, "public": True}}}


def test_user_create_201() -> None:
    helpdesk, sent = canned(
        {("POST", "/api/v2/users/create_or_update"): (201, "user_create_201.json")}
    )
    assert helpdesk.ensure_requester(Requester("messenger:p1:u1", "testUser")) == "6164039664282"
    assert sent.sent_json(0) == {"user": {
        "external_id": "messenger:p1:u1", "name": "testUser", "role": "end-user"}}


def test_user_me_200() -> None:
    helpdesk, sent = canned({("GET", "/api/v2/users/me"): (200, "user_me_200.json")})
    assert helpdesk.api_user_id() == helpdesk.api_user_id() == 6130907993114
    assert len(sent.sent) == 1  # asked once, then cached


def test_ticket_comments_list_200() -> None:
    body = fixture_json(FOLDER, "ticket_comments_list_200.json")
    page = CommentsPage.model_validate(body)
    assert next_page_url(body) is None  # meta.has_more is false
    agent = ApiUser(id=26155588908179, name="Joshua Teitelbaum", role="agent")
    (reply,) = agent_replies(page.comments, {agent.id: agent}, api_user_id=1)
    assert (reply.comment_id, reply.body, reply.author_name) == (
        "33144692244499", "Some comment", "Joshua Teitelbaum")
    assert reply.created_at == datetime(2024, 9, 6, 18, 52, 11, tzinfo=UTC)
    assert reply.attachment_urls == (
        "https://z3npuddn.zendesk.com/attachments/token/ipl7iHe99p1WhkrNBVSW1L8Ie/?name=README.md",)
    assert agent_replies(page.comments, {agent.id: agent}, api_user_id=agent.id) == ()
    end_user = agent.model_copy(update={"role": "end-user"})
    assert agent_replies(page.comments, {agent.id: end_user}, api_user_id=1) == ()


def test_users_search_by_email_200() -> None:
    body = fixture_json(FOLDER, "users_search_by_email_200.json")
    (user,) = [ApiUser.model_validate(u) for u in body["users"]]  # the sideload parser
    assert (user.id, user.role) == (20014182, "admin")
    assert next_page_url(body) is None
    emulated = emulator_answer("GET", "users/search", params={"query": "agent.smith@example.com"})
    assert set(emulated) == set(body) == {"users", "next_page", "previous_page", "count"}
    assert set(emulated["users"][0]) >= set(body["users"][0]) - {"chat_only"}


def test_webhook_create_201() -> None:
    created = fixture_json(FOLDER, "webhook_create_201.json")

    class Client:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str]] = []

        def request(self, method: str, path: str, *, json: Any = None,
                    params: Any = None) -> dict[str, Any]:
            self.calls.append((method, path))
            answers: dict[tuple[str, str], dict[str, Any]] = {
                ("GET", "webhooks"): {"webhooks": [], "meta": {"has_more": False}},
                ("POST", "webhooks"): created,
                ("GET", f"webhooks/{created['webhook']['id']}/signing_secret"):
                    {"signing_secret": {"secret": "abc", "algorithm": "SHA256"}},
                ("GET", "triggers"): {"triggers": [], "next_page": None},
                ("POST", "triggers"): {"trigger": {"id": 360001}},
            }
            return answers[(method, path)]

    client = Client()
    result = install(client, "https://bridge.example.com/")
    assert (result.webhook_id, result.signing_secret) == ("01HANAHHBNJDDW768TX5J4YFX7", "abc")
    assert (result.trigger_id, result.webhook_created, result.trigger_created) == (
        "360001", True, True)


# ---- bodies the adapter has no use for: shape only -----------------------------------


def test_job_status_completed_200() -> None:
    status = fixture_json(FOLDER, "job_status_completed_200.json")["job_status"]
    assert {"id", "url", "total", "progress", "status", "message", "results"} <= set(status)
    assert status["status"] == "completed" and status["results"][0]["id"] == 4013


def test_tickets_create_many_job_status_200() -> None:
    status = fixture_json(FOLDER, "tickets_create_many_job_status_200.json")["job_status"]
    assert status["status"] == "queued" and status["results"] is None


def test_request_create_201() -> None:
    request = fixture_json(FOLDER, "request_create_201.json")["request"]
    assert {"id", "status", "subject", "description", "requester_id", "via"} <= set(request)


def test_webhook_test_200() -> None:
    response = fixture_json(FOLDER, "webhook_test_200.json")["response"]
    assert {"headers", "status_code", "payload"} == set(response)
    assert all(set(h) == {"key", "value"} for h in response["headers"])


def test_every_api_fixture_has_a_test() -> None:
    assert_every_fixture_has_a_test(FOLDER, globals())


# ---- pure mapping helpers ------------------------------------------------------------


@pytest.mark.parametrize("html, text", [
    ('<div class="zd-comment" dir="auto"><p dir="auto">Some comment</p></div>', "Some comment"),
    ("<p>One</p><p>Two<br>three</p>", "One\n\nTwo\nthree"),
    ("<p>a &amp; b&nbsp;c</p><script>x()</script>", "a & b\xa0c"),
    ("<ul><li>x</li><li>y</li></ul>", "x\ny"),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_subject_from_message() -> None:
    assert subject_from_message("\n  \nHello there\nsecond", "fallback") == "Hello there"
    assert subject_from_message("   ", "Photo from Messenger") == "Photo from Messenger"
    long = "ا" * 100
    assert subject_from_message(long, "f") == "ا" * 79 + "…"
    family = "a" * 78 + "👨\u200d👩\u200d👧" + "b" * 10
    assert subject_from_message(family, "f") == "a" * 78 + "…"


def test_tags_and_statuses() -> None:
    assert ticket_tags("messenger", ["VIP Customer", "social"]) == (
        "social", "messenger", "vip_customer")
    assert [normalise_status(s) for s in ("OPEN", "hold", None, "deleted", "weird")] == [
        "open", "hold", "open", "closed", "open"]
