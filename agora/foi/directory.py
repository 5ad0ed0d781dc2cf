"""The directory of public bodies: where to send requests, under which laws; CSV in and out.

An import is all or nothing: every row is checked first, and any bad row leaves the
directory as it was, with a report naming the line, the column and what to fix.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor
from agora.accounts.services import organisation_create
from agora.core.errors import PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.core.text_input import clean_text
from agora.foi import permissions
from agora.foi.choices import CorrectionField, CorrectionStatus
from agora.foi.laws import laws
from agora.foi.models import BodyCorrection, FoiBody, FoiRequest
from agora.foi.selectors import visible_requests
from agora.ledger.services import ledger_record

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FOI_KINDS = (OrganisationKind.PUBLIC_BODY, OrganisationKind.OVERSIGHT_BODY)
COLUMNS = [
    "slug",
    "name",
    "kind",
    "request_email",
    "postal_address",
    "website",
    "jurisdiction",
    "category",
    "laws",
]
# Headings other directories use for the same columns (WhatDoTheyKnow's among them).
ALIASES = {
    "public authority": "name",
    "authority": "name",
    "foi email": "request_email",
    "request email": "request_email",
    "email": "request_email",
    "country": "jurisdiction",
    "address": "postal_address",
    "postal address": "postal_address",
    "home page": "website",
    "url_name": "slug",
}
MAX_ROWS = 100_000


def public_bodies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=FOI_KINDS).select_related("foi_body")


def requestable_bodies() -> QuerySet[Organisation]:
    """Bodies a request can be sent to: with an address and at least one law."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.PUBLIC_BODY)
        .exclude(foi_body__request_email="")
        .exclude(foi_body__isnull=True)
        .order_by("name")
    )


def _check_laws(codes: list[str], field_name: str = "laws") -> list[str]:
    unknown = [code for code in codes if code not in laws()]
    if unknown:
        raise ValidationError(
            {
                field_name: _("Unknown law(s): %(codes)s. Known: %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(laws())}
            }
        )
    return codes


@transaction.atomic
def body_details_set(
    *,
    actor: User | None,
    organisation: Organisation,
    request_email: str,
    postal_address: str = "",
    laws_: list[str] | None = None,
    category: str = "",
) -> FoiBody:
    """Sets where a body takes requests and the laws it answers under (its admins, staff)."""
    if actor is not None and not permissions.can_edit_body(actor, organisation):
        raise PermissionDenied(_("Only the body's administrators or staff can change this."))
    if organisation.kind not in FOI_KINDS:
        raise ValidationError(_("Only public bodies and oversight bodies take requests."))
    email = request_email.strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as error:
            raise ValidationError({"request_email": _("Enter a valid email address.")}) from error
    details, _created = FoiBody.objects.get_or_create(organisation=organisation)
    if email.lower() != details.request_email.lower():
        details.bounced_at, details.bounce_detail = None, ""
    details.request_email = email
    details.postal_address = clean_text(postal_address, "postal_address", limit=1000)
    details.laws = _check_laws(list(dict.fromkeys(laws_ or [])))
    details.category = clean_text(category, "category", limit=100)
    details.save()
    if actor is not None:
        # Where a body takes requests is an official fact: who changed it is on the record.
        ledger_record(
            actor=actor,
            organisation=organisation,
            action="foi.body.update",
            subject=organisation,
            summary=public_text(
                gettext_lazy("Request details of %(body)s changed"), body=organisation.name
            ),
            data={
                "request_email": details.request_email,
                "laws": details.laws,
                "category": details.category,
            },
        )
    return details


# Corrections ----------------------------------------------------------------------------------


@transaction.atomic
def correction_suggest(
    *, actor: User, body: FoiBody, field: str, value: str, note: str = ""
) -> BodyCorrection:
    if not (isinstance(actor, User) and actor.is_active):
        raise PermissionDenied(_("Sign in to suggest a correction."))
    if field not in CorrectionField.values:
        raise ValidationError({"field": _("Choose what is wrong.")})
    value = clean_text(value, "value", limit=1000)
    note = clean_text(note, "note", limit=2000)
    if not value and not note:
        raise ValidationError({"value": _("Give the correct value, or say what is wrong.")})
    recent = BodyCorrection.objects.filter(
        author=actor, created__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if recent >= 20:
        raise ValidationError(_("You have suggested many corrections today; try again tomorrow."))
    return BodyCorrection.objects.create(
        body=body, author=actor, field=field, value=value, note=note
    )


@transaction.atomic
def correction_review(
    *, actor: User, correction: BodyCorrection, accept: bool, review_note: str = ""
) -> BodyCorrection:
    """Staff accept (the value is applied when it is one field) or reject a suggestion."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied(_("Only staff review corrections."))
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This correction was already reviewed."))
    body = correction.body
    if accept and correction.value:
        if correction.field in ("request_email", "postal_address", "category"):
            body_details_set(
                actor=actor,
                organisation=body.organisation,
                request_email=correction.value
                if correction.field == "request_email"
                else body.request_email,
                postal_address=correction.value
                if correction.field == "postal_address"
                else body.postal_address,
                laws_=body.laws,
                category=correction.value if correction.field == "category" else body.category,
            )
        elif correction.field in ("website", "name"):
            from agora.accounts.services import organisation_update

            organisation_update(
                actor=actor, organisation=body.organisation, **{correction.field: correction.value}
            )
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    correction.reviewed_by = actor
    correction.reviewed_at = timezone.now()
    correction.review_note = clean_text(review_note, "review_note", limit=2000)
    correction.save()
    return correction


# CSV ------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


def bodies_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for organisation in public_bodies().order_by("name", "pk"):
        details = getattr(organisation, "foi_body", None)
        writer.writerow(
            [
                organisation.slug,
                organisation.name,
                organisation.kind,
                details.request_email if details else "",
                details.postal_address if details else "",
                organisation.website,
                organisation.jurisdiction,
                details.category if details else "",
                " ".join(details.laws) if details else "",
            ]
        )
    return out.getvalue()


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise ValidationError(_("The file is empty: it needs a header row and one row per body."))
    columns = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if "name" not in columns:
        raise ValidationError(
            _("The header has no “name” column. Expected columns: %(columns)s.")
            % {"columns": ", ".join(COLUMNS)}
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(_("At most %(n)d bodies per file.") % {"n": MAX_ROWS})
        rows.append((line, {c: v.strip() for c, v in zip(columns, cells, strict=False)}))
    return columns, rows


def _check_row(line: int, row: dict[str, str], default_laws: list[str]) -> list[dict[str, Any]]:
    problems = []

    def problem(column: str, message: str) -> None:
        problems.append(
            {"line": line, "column": column, "value": row.get(column, ""), "message": message}
        )

    if not row.get("name"):
        problem("name", _("A body needs a name."))
    if row.get("kind") and row["kind"] not in FOI_KINDS:
        problem("kind", _("Use public_body or oversight_body."))
    if row.get("request_email"):
        try:
            validate_email(row["request_email"])
        except DjangoValidationError:
            problem("request_email", _("This is not an email address."))
    if row.get("website"):
        try:
            URLValidator(schemes=["http", "https"])(row["website"])
        except DjangoValidationError:
            problem("website", _("This is not a web address (http:// or https://)."))
    codes = row.get("laws", "").split() or default_laws
    if unknown := [code for code in codes if code not in laws()]:
        problem("laws", _("Unknown law(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    return problems


def bodies_import(
    *, actor: User | None, text: str, default_laws: list[str] | None = None, dry_run: bool = False
) -> ImportReport:
    """Adds or updates bodies from CSV (matched by slug, else by name); all or nothing."""
    if actor is not None and not permissions.can_moderate(actor):
        raise PermissionDenied(_("Only staff can import the directory."))
    default_laws = default_laws or []
    _columns, rows = _rows(text)
    report = ImportReport()
    for line, row in rows:
        report.problems.extend(_check_row(line, row, default_laws))
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        for _line, row in rows:
            _import_row(actor, row, default_laws, report)
    return report


def _import_row(
    actor: User | None, row: dict[str, str], default_laws: list[str], report: ImportReport
) -> None:
    slug = slugify(row.get("slug") or "")[:80]
    organisation = (
        Organisation.objects.filter(slug=slug).first()
        if slug
        else Organisation.objects.filter(name=row["name"], kind__in=FOI_KINDS).first()
    )
    kind = row.get("kind") or OrganisationKind.PUBLIC_BODY
    created = organisation is None
    if organisation is None:
        organisation = organisation_create(
            actor=None,
            name=row["name"],
            kind=kind,
            slug=slug,
            website=row.get("website", ""),
            jurisdiction=row.get("jurisdiction", "")[:100],
        )
    else:
        changed = []
        for name in ("name", "website", "jurisdiction"):
            value = row.get(name, "")
            if value and getattr(organisation, name) != value:
                setattr(organisation, name, value)
                changed.append(name)
        if changed:
            organisation.save(update_fields=[*changed, "modified"])
    details = FoiBody.objects.filter(organisation=organisation).first()
    # An empty cell or a missing column keeps what the directory knows: an import adds and
    # corrects, it never erases an address.
    wanted = {
        "request_email": row.get("request_email") or (details.request_email if details else ""),
        "postal_address": row.get("postal_address") or (details.postal_address if details else ""),
        "laws_": row.get("laws", "").split() or default_laws or (details.laws if details else []),
        "category": row.get("category") or (details.category if details else ""),
    }
    same = details is not None and (
        details.request_email,
        details.postal_address,
        details.laws,
        details.category,
    ) == tuple(wanted.values())
    if not same:
        body_details_set(actor=None, organisation=organisation, **wanted)  # type: ignore[arg-type]
    if created:
        report.created += 1
    elif same:
        report.unchanged += 1
    else:
        report.updated += 1


MAX_IMPORT_BYTES = 50 * 1024 * 1024


def decode_csv(data: bytes) -> str:
    """The text of an uploaded directory file; a clear error rather than a guess."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES >> 20}}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {
                "file": _("Line %(line)d is not UTF-8 text: save the file as CSV UTF-8.")
                % {"line": data[: error.start].count(b"\n") + 1}
            }
        ) from error


# The body page ---------------------------------------------------------------------------------


def body_get(slug: str) -> Organisation:
    organisation = public_bodies().filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def body_requests(actor: Actor, organisation: Organisation, limit: int = 20) -> list[FoiRequest]:
    requests = visible_requests(actor).filter(body=organisation)
    return list(requests.order_by("-last_activity", "-pk")[:limit])


def organisation_link(organisation: Organisation) -> tuple[StrOrPromise, str] | None:
    """The organisation page links to the body's page of the directory."""
    if organisation.kind not in FOI_KINDS:
        return None
    return gettext_lazy("Information requests: address, laws and answers"), reverse(
        "foi:body_detail", args=[organisation.slug]
    )
