"""Pages of the catalog: browse, read, publish datasets and their resources."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.accounts import selectors as account_selectors
from agora.accounts.models import Organisation, User
from agora.catalog import dcat, ingestion, permissions, schema_org, selectors, services, table_views
from agora.catalog.choices import DatasetStatus, Theme
from agora.catalog.datapackage import datapackage
from agora.catalog.forms import (
    CatalogQuery,
    DatasetForm,
    ResourceLinkForm,
    ResourceUploadForm,
    VersionUploadForm,
)
from agora.catalog.models import Dataset, Resource
from agora.catalog.quality import assess
from agora.catalog.usage import usage_count, usage_summary
from agora.core.errors import Conflict, PermissionDenied, ValidationError, error_message
from agora.core.forms import apply_service_errors
from agora.core.markdown import render_markdown
from agora.core.pagination import InvalidCursor

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def organisation_filter(request: HttpRequest) -> Organisation | None:
    """The organisation a list is filtered on (`?organisation=<slug>`), if it exists."""
    slug = request.GET.get("organisation", "")
    if not SLUG.fullmatch(slug):
        return None
    try:
        return account_selectors.organisation_get(actor=request.user, slug=slug)
    except ObjectDoesNotExist:
        return None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _dataset(request: HttpRequest, slug: str) -> Dataset:
    try:
        return selectors.dataset_get(actor=request.user, slug=slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _editable(request: HttpRequest, slug: str) -> Dataset:
    dataset = _dataset(request, slug)
    if not permissions.can_edit_dataset(request.user, dataset):
        raise PermissionDenied
    return dataset


def _resource(dataset: Dataset, resource_id: UUID) -> Resource:
    try:
        return selectors.resource_get(dataset=dataset, resource_id=resource_id)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_filter(request)
    keyword = request.GET.get("keyword", "").replace("\x00", "").strip()[:60]
    theme = request.GET.get("theme", "")
    theme = theme if theme in Theme.values else ""
    status = request.GET.get("status", "")
    status = status if status in DatasetStatus.values else ""
    sort = request.GET.get("sort", "title")
    sort = sort if sort in selectors.SORTS else "title"
    try:
        page = selectors.dataset_list(
            actor=request.user,
            organisation=organisation,
            status=status or None,
            theme=theme or None,
            keyword=keyword or None,
            sort=sort,
            cursor=request.GET.get("cursor") or None,
        )
    except InvalidCursor:
        return redirect(reverse("catalog:dataset_list"))
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "page": page,
        "organisation": organisation,
        "theme": theme,
        "themes": Theme.choices,
        "status": status,
        "statuses": DatasetStatus.choices,
        "sort": sort,
        "query": query.urlencode(),
        "organisations": account_selectors.organisation_choices(),
        "can_create": bool(selectors.publishable_organisations(actor=request.user)),
    }
    return render(request, "catalog/dataset_list.html", context)


@require_GET
def quality_dashboard(request: HttpRequest, organisation: str) -> HttpResponse:
    """An organisation's datasets by quality score, lowest first, with what to improve."""
    try:
        found = account_selectors.organisation_get(actor=request.user, slug=organisation)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    rows = [
        (dataset, assess(dataset, resources))
        for dataset, resources in selectors.organisation_datasets(
            actor=request.user, organisation=found
        )
    ]
    rows.sort(key=lambda row: (row[1].score, row[0].title))
    context = {
        "organisation": found,
        "rows": rows,
        "average": round(sum(a.score for _d, a in rows) / len(rows)) if rows else None,
        "can_harvest": permissions.can_create_dataset(request.user, found),
    }
    return render(request, "catalog/quality_dashboard.html", context)


@require_GET
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _dataset(request, slug)
    wanted = request.get_preferred_type(["text/html", *dcat.MEDIA_TYPES])
    if wanted in dcat.MEDIA_TYPES:  # content negotiation: the same address, in RDF
        return _dataset_rdf(request, dataset, dcat.MEDIA_TYPES[wanted])
    resources = selectors.resource_list(dataset=dataset)
    context = {
        "dataset": dataset,
        "description_html": render_markdown(dataset.description),
        "resources": resources,
        "can_edit": permissions.can_edit_dataset(request.user, dataset),
        "schema_org": schema_org.dataset_json(request, dataset, resources),
        "usage": usage_summary(dataset=dataset),
        "quality": assess(dataset, resources),
        "discussions": selectors.discussion_list(dataset=dataset) if dataset.is_public else [],
        "reuses": selectors.reuse_list(actor=request.user, dataset=dataset, limit=12).items,
    }
    response = render(request, "catalog/dataset_detail.html", context)
    patch_vary_headers(response, ["Accept"])
    return response


def _rdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{dcat.FORMATS[name][1]}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # open metadata, for harvesters in browsers
    patch_vary_headers(response, ["Accept"])
    return response


def _dataset_rdf(request: HttpRequest, dataset: Dataset, name: str) -> HttpResponse:
    graph = dcat.dataset_graph(
        dataset,
        selectors.resource_list(dataset=dataset),
        site_url=settings.SITE_URL,
        language=settings.LANGUAGE_CODE,
    )
    return _rdf_response(dcat.serialise(graph, name), name)


@require_GET
def dataset_datapackage(request: HttpRequest, slug: str) -> JsonResponse:
    """The dataset as a Frictionless Data Package, for tools that read datapackage.json."""
    dataset = _dataset(request, slug)
    package = datapackage(request, dataset, selectors.resource_list(dataset=dataset))
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})
    if dataset.is_public:
        response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def dataset_rdf(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The dataset in DCAT-AP: /datasets/<slug>.ttl, .rdf or .jsonld."""
    if fmt not in dcat.FORMATS:
        raise Http404
    dataset = _dataset(request, slug)
    if not dataset.is_public:
        raise Http404  # drafts are not catalogued
    return _dataset_rdf(request, dataset, fmt)


@require_GET
def catalog_rdf(request: HttpRequest, fmt: str = "") -> HttpResponse:
    """The DCAT-AP catalog, paged the Hydra way (`page`, `page_size`), optionally only the
    datasets changed since `modified_since` (an ISO 8601 date or time). /catalog negotiates
    the format from the Accept header; /catalog.ttl, .rdf and .jsonld name it."""
    if not fmt:
        wanted = request.get_preferred_type(list(dcat.MEDIA_TYPES))
        fmt = dcat.MEDIA_TYPES.get(wanted or "", "ttl")
    if fmt not in dcat.FORMATS:
        raise Http404
    try:
        query = CatalogQuery.parse(request.GET)
    except ValidationError as exc:
        return HttpResponse(
            error_message(exc), status=400, content_type="text/plain; charset=utf-8"
        )
    datasets, total = selectors.catalog_page(
        page=query.page, page_size=query.page_size, modified_since=query.modified_since
    )
    graph = dcat.catalog_graph(
        datasets,
        site_url=settings.SITE_URL,
        site_name=settings.SITE_NAME,
        description=_("The open data published on %(site)s.") % {"site": settings.SITE_NAME},
        language=settings.LANGUAGE_CODE,
        page=dcat.CatalogPage(
            number=query.page,
            size=query.page_size,
            total=total,
            url=settings.SITE_URL.rstrip("/") + request.path + query.without_page(),
        ),
    )
    return _rdf_response(dcat.serialise(graph, fmt), fmt)


def _initial(dataset: Dataset) -> dict[str, Any]:
    initial = {f: getattr(dataset, f) for f in services.DATASET_FIELDS}
    initial["themes"] = [t.theme for t in dataset.themes.all()]
    initial["keywords"] = ", ".join(k.keyword for k in dataset.keywords.all())
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    organisations = selectors.publishable_organisations(actor=request.user)
    if not organisations:
        raise PermissionDenied
    initial = {"organisation": request.GET.get("organisation", organisations[0].slug)}
    form = DatasetForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_create(actor=_user(request), **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("The dataset has been created as a draft. Add its resources.")
            )
            return redirect(dataset)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": None})


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _editable(request, slug)
    form = DatasetForm(request.POST or None, initial=_initial(dataset))
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_update(actor=_user(request), dataset=dataset, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The dataset has been saved."))
            return redirect(dataset)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})


def _dataset_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    dataset = _editable(request, slug)
    try:
        if action == "publish":
            services.dataset_publish(actor=_user(request), dataset=dataset)
            messages.success(request, _("The dataset is published."))
        else:
            services.dataset_archive(actor=_user(request), dataset=dataset)
            messages.success(request, _("The dataset is archived."))
    except (ValidationError, Conflict) as exc:
        messages.error(request, error_message(exc))
    return redirect(dataset)


@login_required
@require_POST
def dataset_publish(request: HttpRequest, slug: str) -> HttpResponse:
    return _dataset_action(request, slug, "publish")


@login_required
@require_POST
def dataset_archive(request: HttpRequest, slug: str) -> HttpResponse:
    return _dataset_action(request, slug, "archive")


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file, or (with `?link`) give the address of one elsewhere."""
    dataset = _editable(request, slug)
    is_link = "link" in request.GET
    form: ResourceLinkForm | ResourceUploadForm = (
        ResourceLinkForm(request.POST or None)
        if is_link
        else ResourceUploadForm(request.POST or None, request.FILES or None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, ResourceLinkForm):
                added = services.resource_link(
                    actor=_user(request), dataset=dataset, **form.cleaned_data
                )
            else:
                added = services.resource_upload(
                    actor=_user(request), dataset=dataset, **form.cleaned_data
                ).resource
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The resource has been added."))
            return redirect(added)  # its page shows the reading of the file as it goes
    context = {
        "form": form,
        "dataset": dataset,
        "is_link": is_link,
        "max_upload": settings.MAX_UPLOAD_SIZE,
    }
    return render(request, "catalog/resource_form.html", context)


@require_http_methods(["GET", "POST"])
def resource_detail(request: HttpRequest, slug: str, resource: UUID) -> HttpResponse:
    """A resource and its versions; its editors upload a new version here."""
    if target := table_views.filter_redirect(request):
        return redirect(target)
    dataset = _dataset(request, slug)
    found = _resource(dataset, resource)
    can_edit = permissions.can_edit_dataset(request.user, dataset)
    form = VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.resource_version_upload(
                    actor=_user(request), resource=found, file=form.cleaned_data["file"]
                )
            except (ValidationError, Conflict) as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Version %(number)d has been added.") % {"number": version.number}
                )
                return redirect(found)
    context = {
        "dataset": dataset,
        "resource": found,
        "versions": list(found.versions.all()),
        "description_html": render_markdown(found.description),
        "can_edit": can_edit,
        "form": form,
        **table_views.table_context(request, found),
    }
    response = render(request, "catalog/resource_detail.html", context)
    if context["reading"] is not None and context["reading"].in_progress:
        response["Refresh"] = "3"  # follow the reading without JavaScript
    return response


@require_POST
@login_required
def table_schema(request: HttpRequest, slug: str, resource: UUID) -> HttpResponse:
    """The publisher corrects the names and types of a table's columns."""
    dataset = _dataset(request, slug)
    found = _resource(dataset, resource)
    try:
        table = selectors.live_table(resource=found, name=request.POST.get("table") or None)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    try:
        ingestion.schema_confirm(
            actor=_user(request), table=table, columns=table_views.schema_columns(request, table)
        )
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(
            request,
            _(
                "The schema is confirmed; the table is being read again with it. Later versions "
                "must fit it."
            ),
        )
    return redirect(found)


@require_GET
def version_download(request: HttpRequest, slug: str, resource: UUID, number: int) -> FileResponse:
    """The file exactly as it was uploaded; a version never changes, so it is cached long."""
    dataset = _dataset(request, slug)
    try:
        version = selectors.version_get(resource=_resource(dataset, resource), number=number)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    usage_count(dataset=dataset, kind="downloads")
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.filename)
    response["Content-Type"] = version.media_type
    response["ETag"] = f'"{version.sha256}"'
    if dataset.is_public:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, no-store"
    return response
