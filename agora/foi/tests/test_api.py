"""The access-to-information API: what anyone reads, what the requester and officials write."""

from __future__ import annotations

import datetime
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client

from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import UserFactory, make_member
from agora.accounts.tests.tokens import bearer
from agora.foi import inbox, services
from agora.foi.choices import RequestStatus
from agora.foi.models import FoiAttachment, FoiRequest
from agora.foi.tests import factories
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/foi"
PROBLEM = "application/problem+json"


@pytest.fixture
def council() -> Organisation:
    return factories.body(website="https://www.valmont.example")


@pytest.fixture
def requester() -> User:
    return UserFactory(display_name="Jane Citizen", email="jane@example.org")


@pytest.fixture
def foi(requester: User, council: Organisation) -> FoiRequest:
    return factories.request(requester, council)


def write(user: User) -> dict[str, str]:
    return bearer(user, "read", "write")


def post_json(client: Client, url: str, payload: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(url, payload, content_type="application/json", **kwargs)


def reply(foi: FoiRequest, text: str, *, attachment: bytes | None = None) -> None:
    """A reply from the body, received by mail as any other."""
    message = EmailMessage()
    message["From"] = "Records Officer <records@valmont.example>"
    message["To"] = foi.reply_address
    message["Subject"] = f"RE: {foi.title}"
    message["Message-ID"] = f"<reply-{foi.pk}@valmont.example>"
    message.set_content(text)
    if attachment is not None:
        message.add_attachment(attachment, maintype="text", subtype="csv", filename="list.csv")
    received = inbox.mail_receive(bytes(message))
    assert received.status == "routed", received.hold_reason


def field_errors(response: Any) -> set[str]:
    assert response["Content-Type"] == PROBLEM, response.content
    return {error["field"] for error in response.json()["errors"]}


# Reading ---------------------------------------------------------------------------------------


def test_a_public_request_with_its_clock_and_timeline(client: Client, foi: FoiRequest) -> None:
    response = client.get(f"{API}/requests/{foi.slug}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "awaiting_response"
    assert data["law"]["code"] == "gb-foia"
    assert data["law"]["api_url"].endswith("/api/v1/foi/laws/gb-foia")
    assert data["body"]["name"] == "Valmont Borough Council"
    assert data["requester"] == "Jane Citizen"  # no pseudonym was asked
    assert data["stage"]["key"] == "request" and data["stage"]["status"] == "open"
    assert data["stage"]["handled_by"]["slug"] == foi.body.slug
    clock = data["clock"]
    assert "of 20 working days" in clock["description"] and "due" in clock["description"]
    assert clock["due"] == foi.due_on.isoformat() == data["due_on"]  # type: ignore[union-attr]
    assert clock["state"] == "running" and clock["of"] == 20
    assert [event["kind"] for event in data["timeline"]] == ["sent"]
    assert data["timeline"][0]["label"] == "Request sent"
    assert data["url"].endswith(foi.get_absolute_url())
    assert client.get(data["messages_api_url"]).status_code == 200
    missing = client.get(f"{API}/requests/no-such-request")
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM


def test_messages_are_public_copies_with_published_attachments_only(
    client: Client, foi: FoiRequest, requester: User
) -> None:
    reply(
        foi,
        "Dear Jane Citizen,\n\nThe list is attached. Write to clerk.private@valmont.example "
        "or call 01632 960123.\n",
        attachment=b"road,amount\nA1,1200\n",
    )
    url = f"{API}/requests/{foi.slug}/messages"
    for headers in ({}, bearer(requester)):  # the requester too gets the public copy here
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        sent, received = response.json()["items"]
        assert sent["kind"] == "request" and sent["direction"] == "outgoing"
        assert "road repair contracts signed in 2025" in sent["text"]
        assert received["kind"] == "reply" and received["sender"] == "Valmont Borough Council"
        assert "[email address]" in received["text"] and "[phone number]" in received["text"]
        assert "clerk.private@valmont.example" not in response.content.decode()
        assert "01632 960123" not in response.content.decode()
        assert "Jane Citizen" not in received["text"]
        assert received["attachments"] == []  # not published by the requester yet

    attachment = FoiAttachment.objects.get(message__request=foi)
    services.foi_attachment_approve(
        actor=requester, request=foi, attachment_id=attachment.pk, approved=True
    )
    (published,) = client.get(url).json()["items"][1]["attachments"]
    assert published["filename"] == "list.csv"
    download = client.get(published["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"road,amount\nA1,1200\n"  # type: ignore[attr-defined]


def test_a_pseudonym_keeps_the_real_name_out_of_everything(
    client: Client, requester: User, council: Organisation
) -> None:
    foi = factories.request(
        requester,
        council,
        title="Parking fines 2025",
        text="I, Jane Citizen, ask for the parking fines issued in 2025.",
        pseudonym=True,
    )
    reply(foi, "Dear Jane Citizen, we will answer soon.")
    outputs = [
        client.get(f"{API}/requests"),
        client.get(f"{API}/requests/{foi.slug}"),
        client.get(f"{API}/requests/{foi.slug}/messages"),
    ]
    for response in outputs:
        assert response.status_code == 200
        text = response.content.decode()
        assert "parking fines" in text.lower()
        assert "Jane Citizen" not in text and "jane@example.org" not in text
    assert outputs[1].json()["requester"] == foi.public_name != "Jane Citizen"


def test_embargoed_and_hidden_requests_are_seen_by_those_involved_only(
    client: Client, requester: User, council: Organisation, foi: FoiRequest
) -> None:
    embargoed = factories.request(
        requester,
        council,
        title="Secret until later",
        embargo_until=datetime.date.today() + datetime.timedelta(days=10),
    )
    official = make_member(council, Role.MEMBER)
    stranger = UserFactory()
    staff = UserFactory(is_staff=True, two_factor=True)
    for who, status in [
        (None, 404),
        (stranger, 404),
        (requester, 200),
        (official, 200),
        (staff, 200),
    ]:
        headers = bearer(who) if who else {}
        for path in ("", "/messages"):
            response = client.get(f"{API}/requests/{embargoed.slug}{path}", headers=headers)
            assert response.status_code == status, (who, path)
        listed = {r["slug"] for r in client.get(f"{API}/requests", headers=headers).json()["items"]}
        assert (embargoed.slug in listed) == (status == 200), who
        assert foi.slug in listed

    services.foi_request_hide(actor=staff, request=foi, hidden=True, reason="Personal data")
    assert client.get(f"{API}/requests/{foi.slug}").status_code == 404
    assert client.get(f"{API}/requests/{foi.slug}", headers=bearer(stranger)).status_code == 404
    assert client.get(f"{API}/requests").json()["items"] == []
    seen = client.get(f"{API}/requests/{foi.slug}", headers=bearer(requester)).json()
    assert seen["hidden"] is True


def test_the_list_filters_and_pages(
    client: Client,
    requester: User,
    council: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ministry = factories.body(
        "Ministère de l'Intérieur", email="prada@interieur.example", laws=("fr-crpa",)
    )
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written then
        first = factories.request(requester, council, title="Pothole repairs")
        second = factories.request(requester, council, title="Library budgets")
        third = factories.request(requester, ministry, title="Budget des préfectures")
    services.foi_request_classify(actor=requester, request=second, classification="successful")

    page = client.get(f"{API}/requests?limit=2").json()
    assert [r["slug"] for r in page["items"]] == [second.slug, third.slug]  # latest activity first
    assert page["next_cursor"] and "cursor=" in page["next"] and "limit=2" in page["next"]
    rest = client.get(page["next"]).json()
    assert [r["slug"] for r in rest["items"]] == [first.slug]
    assert rest["next"] is None and rest["next_cursor"] is None

    def slugs(query: str) -> list[str]:
        response = client.get(f"{API}/requests?{query}")
        assert response.status_code == 200, response.content
        return [r["slug"] for r in response.json()["items"]]

    assert slugs(f"body={ministry.slug}") == [third.slug]
    assert slugs("law=fr-crpa") == [third.slug]
    assert slugs("status=answered") == [second.slug]
    assert slugs("q=pothole") == [first.slug]
    assert slugs("q=budget&law=gb-foia") == [second.slug]

    bad_law = client.get(f"{API}/requests?law=xx-nothing")
    assert bad_law.status_code == 400 and field_errors(bad_law) == {"law"}
    assert "gb-foia" in bad_law.json()["errors"][0]["choices"]
    bad_body = client.get(f"{API}/requests?body=no-such-body")
    assert bad_body.status_code == 400 and field_errors(bad_body) == {"body"}
    bad_status = client.get(f"{API}/requests?status=lost")
    assert bad_status.status_code == 422 and field_errors(bad_status) == {"status"}
    bad_cursor = client.get(f"{API}/requests?cursor=forged")
    assert bad_cursor.status_code == 400 and bad_cursor["Content-Type"] == PROBLEM


def test_bodies_with_their_details_but_not_their_request_address(
    client: Client, council: Organisation
) -> None:
    ico = factories.oversight()
    response = client.get(f"{API}/bodies")
    assert response.status_code == 200
    assert "foi@valmont.example" not in response.content.decode()
    assert "casework@ico.example" not in response.content.decode()
    by_slug = {b["slug"]: b for b in response.json()["items"]}
    assert by_slug[council.slug]["laws"] == ["gb-foia"]
    assert by_slug[council.slug]["kind"] == "public_body"
    assert by_slug[council.slug]["takes_requests"] is True
    assert by_slug[ico.slug]["kind"] == "oversight_body"
    assert by_slug[ico.slug]["takes_requests"] is False

    first = client.get(f"{API}/bodies?limit=1").json()
    assert [b["slug"] for b in first["items"]] == [ico.slug]  # by name
    assert [b["slug"] for b in client.get(first["next"]).json()["items"]] == [council.slug]
    assert [b["slug"] for b in client.get(f"{API}/bodies?q=borough").json()["items"]] == [
        council.slug
    ]

    one = client.get(f"{API}/bodies/{council.slug}")
    assert one.status_code == 200 and one.json() == by_slug[council.slug]
    assert client.get(one.json()["requests_api_url"]).status_code == 200
    assert client.get(f"{API}/bodies/no-such-body").status_code == 404


def test_laws_with_their_steps_and_sources(client: Client) -> None:
    codes = [law["code"] for law in client.get(f"{API}/laws").json()]
    assert {"gb-foia", "fr-crpa", "eu-1049-2001"} <= set(codes)
    law = client.get(f"{API}/laws/gb-foia").json()
    assert law["short_title"] == "FOIA 2000" and law["jurisdiction"] == "GB"
    request_step = law["stages"][0]
    assert request_step["key"] == "request"
    assert request_step["duration"] == {
        "amount": 20,
        "unit": "working_days",
        "and_days": 0,
        "roll_forward": False,
    }
    assert request_step["pauses"] == {"clarification": "restart", "fee": "resume"}
    assert request_step["silence"] == "none" and request_step["next"] == ["internal_review"]
    assert law["sources"][0]["url"].startswith("https://www.legislation.gov.uk/")
    assert law["calendar"]["country"] == "GB"
    assert client.get(f"{API}/laws/xx-nothing").status_code == 404


def test_statistics_are_those_of_the_public_export(client: Client, foi: FoiRequest) -> None:
    response = client.get(f"{API}/statistics")
    assert response.status_code == 200
    assert response.json() == client.get("/foi/statistics.json").json()
    assert response.json()["bodies"][0]["requests"] == 1


# Writing ---------------------------------------------------------------------------------------


def test_filing_a_request_and_a_batch(
    client: Client, requester: User, council: Organisation
) -> None:
    payload = {
        "bodies": [council.slug],
        "title": "Library opening hours",
        "text": "Please send the opening hours of every library.",
        "real_name": "Jane Q. Citizen",
        "pseudonym": True,
        "law": "gb-foia",
    }
    response = post_json(client, f"{API}/requests", payload, headers=write(requester))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["batch"] is None
    (created,) = data["requests"]
    assert created["title"] == "Library opening hours" and created["law"]["code"] == "gb-foia"
    assert created["requester"] != "Jane Q. Citizen" and "Jane" not in response.content.decode()
    stored = FoiRequest.objects.get(slug=created["slug"])
    assert stored.real_name == "Jane Q. Citizen" and stored.requester == requester

    other = factories.body("Harbour Authority", email="foi@harbour.example")
    batch = post_json(
        client,
        f"{API}/requests",
        {
            "bodies": [council.slug, other.slug],
            "title": "Flood defences",
            "text": "Please send the flood defence plans.",
            "embargo_until": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
        },
        headers=write(requester),
    )
    assert batch.status_code == 201, batch.content
    assert batch.json()["batch"] is not None
    assert {r["body"]["slug"] for r in batch.json()["requests"]} == {council.slug, other.slug}
    assert all(r["embargo_until"] for r in batch.json()["requests"])
    assert client.get(f"{API}/requests?q=flood").json()["items"] == []  # embargoed


def test_filing_refuses_bad_input_naming_the_field(
    client: Client, requester: User, council: Organisation
) -> None:
    base = {"bodies": [council.slug], "title": "Bus timetables", "text": "Please send them."}
    headers = write(requester)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": ""}, "title"),
        ({"bodies": []}, "bodies"),
        ({"bodies": ["no-such-body"]}, "bodies.0"),
        ({"law": "xx-nothing"}, "law"),
        ({"law": "fr-crpa"}, "law"),  # known, but not a law of this body
        ({"bodies": [council.slug, factories.oversight().slug]}, "bodies.1"),
        ({"embargo_until": "2001-01-01"}, "embargo_until"),
        ({"pseudonym": "perhaps"}, "pseudonym"),
    ]
    for change, field in cases:
        response = post_json(client, f"{API}/requests", {**base, **change}, headers=headers)
        assert response.status_code == 422, (change, response.content)
        assert field in field_errors(response), change
    other = factories.body("Harbour Authority", email="foi@harbour.example")
    both = {**base, "bodies": [council.slug, other.slug], "law": "gb-foia"}
    response = post_json(client, f"{API}/requests", both, headers=headers)
    assert response.status_code == 422 and field_errors(response) == {"law"}
    assert not FoiRequest.objects.exists()


def test_writes_need_a_write_token(client: Client, requester: User, foi: FoiRequest) -> None:
    payload = {"bodies": [foi.body.slug], "title": "Again", "text": "Again, please."}
    writes = [
        (f"{API}/requests", payload),
        (f"{API}/requests/{foi.slug}/messages", {"text": "Any news?"}),
        (f"{API}/requests/{foi.slug}/classify", {"classification": "successful"}),
    ]
    for url, body in writes:
        anonymous = post_json(client, url, body)
        assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Bearer"
        read_only = post_json(client, url, body, headers=bearer(requester, "read"))
        assert read_only.status_code == 403 and read_only["Content-Type"] == PROBLEM
    assert FoiRequest.objects.count() == 1 and foi.messages.count() == 1


def test_the_requester_writes_to_the_body(client: Client, requester: User, foi: FoiRequest) -> None:
    url = f"{API}/requests/{foi.slug}/messages"
    response = post_json(
        client, url, {"text": "Any news? Reach me at 07700 900123."}, headers=write(requester)
    )
    assert response.status_code == 201, response.content
    message = response.json()
    assert message["kind"] == "followup" and message["direction"] == "outgoing"
    assert message["text"] == "Any news? Reach me at [phone number]."
    assert message["sender"] == "Jane Citizen" and message["delivery"] == "queued"
    assert [m["id"] for m in client.get(url).json()["items"]][-1] == message["id"]

    stranger = post_json(client, url, {"text": "Hello"}, headers=write(UserFactory()))
    assert stranger.status_code == 403 and stranger["Content-Type"] == PROBLEM
    empty = post_json(client, url, {"text": ""}, headers=write(requester))
    assert empty.status_code == 422 and field_errors(empty) == {"text"}
    spaces = post_json(client, url, {"text": "   "}, headers=write(requester))
    assert spaces.status_code == 422 and field_errors(spaces) == {"text"}


def test_classifying_a_reply(
    client: Client, requester: User, council: Organisation, foi: FoiRequest
) -> None:
    reply(foi, "Please find our answer.")
    url = f"{API}/requests/{foi.slug}/classify"
    stranger = post_json(
        client, url, {"classification": "successful"}, headers=write(UserFactory())
    )
    assert stranger.status_code == 403 and stranger["Content-Type"] == PROBLEM

    unknown = post_json(client, url, {"classification": "great"}, headers=write(requester))
    assert unknown.status_code == 422 and field_errors(unknown) == {"classification"}
    no_reason = post_json(client, url, {"classification": "refused"}, headers=write(requester))
    assert no_reason.status_code == 422 and field_errors(no_reason) == {"reason"}

    official = make_member(council, Role.MEMBER)
    response = post_json(
        client,
        url,
        {"classification": "partially_successful", "exemptions": "section 43"},
        headers=write(official),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == RequestStatus.ANSWERED and data["outcome"] == "partially_successful"
    assert data["exemptions"] == "section 43" and data["awaiting_classification"] is False
    assert data["stage"]["status"] == "closed" and data["clock"] is None
    classified = data["timeline"][-1]
    assert classified["kind"] == "classified" and classified["by_body"] is True
    assert classified["classification"] == "partially_successful"
    assert LedgerEntry.objects.filter(action="foi.request.classify").count() == 1
