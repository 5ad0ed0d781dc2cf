"""The data requests board: ask, support, comment, answer, overdue, fair statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory
from agora.accounts.tests.tokens import bearer
from agora.catalog import selectors, services
from agora.catalog.models import DataRequest
from agora.catalog.tests.factories import make_dataset
from agora.core.errors import PermissionDenied, ValidationError
from agora.core.personal_data import export_all
from agora.core.search import search
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
ClientAs = Callable[[str], Client]
ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")
API = "/api/v1/data-requests"


def person(people: dict[str, User | None], role: str) -> User:
    user = people[role]
    assert user is not None
    return user


def ask(organisation: Organisation, people: dict[str, User | None], **fields: str) -> DataRequest:
    values = {
        "title": "Mesures de bruit près de l'aéroport",
        "description": "Les mesures horaires de chaque station, depuis 2020.",
        "reason": "Comprendre l'exposition des riverains.",
        **fields,
    }
    return services.data_request_create(
        actor=person(people, "citizen"), organisation=organisation, **values
    )


def test_a_citizen_asks_and_the_organisation_answers_on_the_record(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    request = ask(organisation, people)
    assert request.status == "open"
    assert request.due == timezone.localdate() + timedelta(days=30)
    assert search("riverains").total == 1
    assert not LedgerEntry.objects.exists()  # a citizen's request is not an official act

    with pytest.raises(ValidationError) as caught:
        services.data_request_answer(
            actor=person(people, "editor"), request=request, status="planned", answer="Oui."
        )
    assert "planned_for" in caught.value.error_dict
    services.data_request_answer(
        actor=person(people, "editor"),
        request=request,
        status="planned",
        answer="Nous publierons les mesures au printemps.",
        planned_for=date(2027, 4, 1),
    )
    entry = LedgerEntry.objects.get()
    assert entry.action == "catalog.data_request.answer"
    assert entry.data["status"] == "planned" and entry.data["planned_for"] == "2027-04-01"

    dataset = make_dataset(organisation, person(people, "editor"), publish=True)
    first_answer = request.answered_at
    services.data_request_answer(
        actor=person(people, "admin"),
        request=request,
        status="published",
        answer="",
        dataset=dataset,
    )
    request.refresh_from_db()
    assert request.status == "published" and request.dataset == dataset
    assert request.planned_for is None
    assert request.answered_at == first_answer  # the response time counts the first answer


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"description": ""}, "description"),
        ({"reason": "x" * 6000}, "reason"),
        ({"title": "a\x00b"}, "title"),
    ],
)
def test_bad_requests_are_refused_on_their_field(
    organisation: Organisation, people: dict[str, User | None], fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ask(organisation, people, **fields)
    assert field in caught.value.error_dict


def test_answers_must_be_complete_and_come_from_the_organisation_asked(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    request = ask(organisation, people)
    for role in ("citizen", "member"):
        with pytest.raises(PermissionDenied):
            services.data_request_answer(
                actor=person(people, role), request=request, status="refused", answer="Non."
            )
    with pytest.raises(ValidationError):
        services.data_request_answer(
            actor=person(people, "editor"), request=request, status="refused", answer=""
        )
    with pytest.raises(ValidationError):
        services.data_request_answer(
            actor=person(people, "editor"), request=request, status="open", answer="?"
        )
    draft = make_dataset(organisation, person(people, "editor"))
    with pytest.raises(ValidationError):
        services.data_request_answer(
            actor=person(people, "editor"),
            request=request,
            status="published",
            answer="",
            dataset=draft,
        )


def test_support_counts_each_person_once_and_can_be_withdrawn(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    request = ask(organisation, people)
    for role in ("citizen", "member", "member"):
        services.data_request_support(actor=person(people, role), request=request)
    assert request.votes_count == 2
    assert (
        services.data_request_support(
            actor=person(people, "member"), request=request, support=False
        )
        == 1
    )
    services.data_request_answer(
        actor=person(people, "editor"), request=request, status="not_held", answer="Pas chez nous."
    )
    with pytest.raises(PermissionDenied):
        services.data_request_support(actor=person(people, "admin"), request=request)


def test_overdue_requests_and_the_response_records(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    elsewhere = OrganisationFactory(name="Ville de Test")
    late = ask(organisation, people, title="En retard")
    DataRequest.objects.filter(pk=late.pk).update(due=timezone.localdate() - timedelta(days=1))
    answered = ask(organisation, people, title="Répondue")
    DataRequest.objects.filter(pk=answered.pk).update(created=timezone.now() - timedelta(days=10))
    answered.refresh_from_db()
    services.data_request_answer(
        actor=person(people, "editor"), request=answered, status="refused", answer="Secret."
    )
    ask(organisation, people, title="Pas encore due")
    ask(elsewhere, people, title="Ailleurs")

    overdue = selectors.data_request_list(actor=person(people, "citizen"), overdue=True)
    assert [r.title for r in overdue.items] == ["En retard"]
    records = {r.organisation.name: r for r in selectors.response_records()}
    here = records["Région de Test"]
    assert (here.received, here.due, here.answered, here.overdue) == (3, 2, 1, 1)
    assert here.response_rate == 0.5 and here.median_days == 10
    there = records["Ville de Test"]
    assert (there.due, there.response_rate, there.median_days) == (0, None, None)


def test_a_person_downloads_what_they_asked_and_supported(
    organisation: Organisation, people: dict[str, User | None]
) -> None:
    request = ask(organisation, people)
    services.data_request_support(actor=person(people, "citizen"), request=request)
    services.data_request_comment(actor=person(people, "citizen"), request=request, body="Merci")
    data = export_all(person(people, "citizen"))["data_requests"]
    assert [r["title"] for r in data["data_requests"]] == [request.title]
    assert data["data_requests_supported"] == [request.pk]
    assert data["data_request_comments"][0]["body"] == "Merci"


# Pages ------------------------------------------------------------------------------------


def test_the_whole_exchange_through_the_pages(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None]
) -> None:
    citizen = client_as("citizen")
    response = citizen.post(
        "/data-requests/new/",
        {
            "organisation": organisation.slug,
            "title": "Horaires des bibliothèques",
            "description": "Les horaires d'ouverture de chaque bibliothèque.",
        },
    )
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert citizen.post(f"/data-requests/{request.pk}/support/").status_code == 302
    assert citizen.post(f"/data-requests/{request.pk}/comment/", {"body": "+1"}).status_code == 302
    page = client_as("anonymous").get(request.get_absolute_url()).content.decode()
    assert "Horaires des bibliothèques" in page and "+1" in page
    assert "Answer for your organisation" not in page

    editor = client_as("editor")
    assert "Answer for your organisation" in editor.get(request.get_absolute_url()).content.decode()
    response = editor.post(
        f"/data-requests/{request.pk}/answer/",
        {"status": "planned", "answer": "En cours.", "planned_for": "2027-01-15"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.votes_count) == ("planned", 1)
    listing = client_as("anonymous").get("/data-requests/?sort=supported").content.decode()
    assert "Horaires des bibliothèques" in listing
    records = client_as("anonymous").get("/data-requests/responses/").content.decode()
    assert organisation.name in records


@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_in_the_pages(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None], role: str
) -> None:
    request = ask(organisation, people)
    client = client_as(role)
    signed_in = role != "anonymous"
    answers = role in ("editor", "admin", "staff")
    assert client.get("/data-requests/").status_code == 200
    assert client.get(request.get_absolute_url()).status_code == 200
    assert client.get("/data-requests/new/").status_code == (200 if signed_in else 302)
    support = client.post(f"/data-requests/{request.pk}/support/")
    assert support.status_code == 302  # done, or sent to sign in
    answer = client.post(
        f"/data-requests/{request.pk}/answer/", {"status": "refused", "answer": "Non."}
    )
    assert answer.status_code == (302 if answers or not signed_in else 403)
    request.refresh_from_db()
    assert request.votes_count == (1 if signed_in else 0)
    assert request.status == ("refused" if answers else "open")


def test_an_incomplete_answer_is_shown_again_with_the_reason(
    client_as: ClientAs, organisation: Organisation, people: dict[str, User | None]
) -> None:
    request = ask(organisation, people)
    response = client_as("editor").post(
        f"/data-requests/{request.pk}/answer/", {"status": "planned", "answer": "Bientôt."}
    )
    assert response.status_code == 200
    assert "Say when the data will be published." in response.content.decode()


# API --------------------------------------------------------------------------------------


def test_the_api_asks_supports_and_answers(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    citizen = bearer(person(people, "citizen"), "read", "write")
    response = client.post(
        API,
        {
            "organisation": organisation.slug,
            "title": "Budget des écoles",
            "description": "Par école et par année.",
        },
        content_type="application/json",
        headers=citizen,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "open" and created["author"] == "Citizen"
    url = f"{API}/{created['id']}"
    assert client.post(f"{url}/support", headers=citizen).json() == {
        "supporters": 1,
        "supported": True,
    }
    assert client.post(f"{url}/support", headers=citizen).json()["supporters"] == 1
    assert client.delete(f"{url}/support", headers=citizen).json()["supporters"] == 0

    answer = {"status": "refused", "answer": "Données nominatives."}
    refused = client.post(f"{url}/answer", answer, content_type="application/json", headers=citizen)
    assert refused.status_code == 403
    editor = bearer(person(people, "editor"), "read", "write")
    answered = client.post(f"{url}/answer", answer, content_type="application/json", headers=editor)
    assert answered.status_code == 200 and answered.json()["status"] == "refused"
    listed = client.get(f"{API}?status=refused").json()["items"]
    assert [r["id"] for r in listed] == [created["id"]]
    records = client.get(f"{API}/responses").json()
    assert records[0]["answered"] == 1 and records[0]["response_rate"] == 1.0
    assert client.get(f"{API}/999999").status_code == 404
    assert client.post(API, {}, content_type="application/json").status_code == 401
