"""Harvest pages: an organisation's sources, and each source's runs with what they did.

For the organisation's editors only: a harvest imports into their catalog, and its report
names remote entries that may not have been published here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts import selectors as account_selectors
from agora.accounts.models import Organisation, User
from agora.catalog import harvesting, permissions, selectors
from agora.catalog.choices import HarvestOutcome
from agora.catalog.forms import HarvestSourceForm
from agora.catalog.models import HarvestSource
from agora.catalog.tasks import harvest_source
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.forms import apply_service_errors


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    try:
        found = account_selectors.organisation_get(actor=request.user, slug=slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_create_dataset(request.user, found):
        raise PermissionDenied
    return found


def _source(organisation: Organisation, pk: int) -> HarvestSource:
    try:
        return selectors.harvest_source_get(organisation=organisation, pk=pk)
    except HarvestSource.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def harvest_sources(request: HttpRequest, organisation: str) -> HttpResponse:
    found = _organisation(request, organisation)
    form = HarvestSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            source = harvesting.harvest_source_create(
                actor=request.user, organisation=found, **form.cleaned_data
            )
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            harvest_source.enqueue(source.pk)
            messages.success(request, _("The source is added; its first harvest is queued."))
            return redirect("catalog:harvest_report", organisation=found.slug, pk=source.pk)
    context = {
        "organisation": found,
        "sources": selectors.harvest_sources(organisation=found),
        "form": form,
    }
    return render(request, "catalog/harvest_sources.html", context)


@login_required
@require_http_methods(["GET"])
def harvest_report(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    found = _organisation(request, organisation)
    source = _source(found, pk)
    jobs = selectors.harvest_jobs(source=source)
    context = {
        "organisation": found,
        "source": source,
        "job": jobs[0] if jobs else None,
        "outcomes": HarvestOutcome.choices,
        "counts": [
            {"job": job, "numbers": [job.counts.get(o, 0) for o in HarvestOutcome.values]}
            for job in jobs
        ],
    }
    return render(request, "catalog/harvest_report.html", context)


@login_required
@require_POST
def harvest_now(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    found = _organisation(request, organisation)
    source = _source(found, pk)
    harvest_source.enqueue(source.pk)
    messages.success(request, _("A harvest is queued; this page shows it when it has run."))
    return redirect("catalog:harvest_report", organisation=found.slug, pk=source.pk)
