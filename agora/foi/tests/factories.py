"""Bodies and requests for tests: a UK council, the ICO, a French ministry and the CADA."""

from __future__ import annotations

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory
from agora.foi import directory, services
from agora.foi.models import FoiRequest


def body(
    name: str = "Valmont Borough Council",
    *,
    email: str = "foi@valmont.example",
    laws: tuple[str, ...] = ("gb-foia",),
    kind: str = OrganisationKind.PUBLIC_BODY,
    website: str = "",
) -> Organisation:
    organisation: Organisation = OrganisationFactory(name=name, kind=kind, website=website)
    directory.body_details_set(
        actor=None, organisation=organisation, request_email=email, laws_=list(laws)
    )
    return organisation


def oversight(
    name: str = "Information Commissioner's Office",
    *,
    email: str = "casework@ico.example",
    laws: tuple[str, ...] = ("gb-foia",),
) -> Organisation:
    return body(name, email=email, laws=laws, kind=OrganisationKind.OVERSIGHT_BODY)


def request(requester: User, to: Organisation, **fields: object) -> FoiRequest:
    values: dict[str, object] = {
        "title": "Road repair contracts 2025",
        "text": "Please send me the list of road repair contracts signed in 2025.",
        "real_name": "Jane Citizen",
    }
    values.update(fields)
    (created,) = services.foi_request_create(actor=requester, bodies=[to], **values)  # type: ignore[arg-type]
    return created
