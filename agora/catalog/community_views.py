"""Pages of reuses and of discussions about datasets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.accounts.models import User
from agora.catalog import community, permissions, selectors
from agora.catalog.forms import DiscussionForm, DiscussionReplyForm, ReuseForm
from agora.catalog.models import Dataset, Discussion, Reuse
from agora.catalog.views import SLUG
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.forms import apply_service_errors
from agora.core.markdown import render_markdown
from agora.core.pagination import InvalidCursor


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _public_dataset(request: HttpRequest, slug: str) -> Dataset:
    try:
        return selectors.public_dataset_get(actor=request.user, slug=slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _reuse(request: HttpRequest, pk: int) -> Reuse:
    try:
        return selectors.reuse_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _discussion(request: HttpRequest, slug: str, pk: int) -> Discussion:
    try:
        return selectors.discussion_get(dataset=_public_dataset(request, slug), pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@require_GET
def reuse_list(request: HttpRequest) -> HttpResponse:
    dataset = None
    if SLUG.fullmatch(slug := request.GET.get("dataset", "")):
        try:
            dataset = _public_dataset(request, slug)
        except Http404:
            dataset = None
    try:
        page = selectors.reuse_list(
            actor=request.user, dataset=dataset, cursor=request.GET.get("cursor") or None
        )
    except InvalidCursor:
        return redirect(reverse("catalog:reuse_list"))
    context = {"page": page, "dataset": dataset}
    return render(request, "catalog/reuse_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reuse_create(request: HttpRequest) -> HttpResponse:
    initial = {"datasets": [request.GET["dataset"]] if "dataset" in request.GET else []}
    form = ReuseForm(
        request.POST or None, datasets=selectors.public_datasets_choices(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            reuse = community.reuse_create(actor=_user(request), **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your reuse is shared."))
            return redirect(reuse)
    return render(request, "catalog/reuse_form.html", {"form": form})


@require_GET
def reuse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reuse = _reuse(request, pk)
    context = {
        "reuse": reuse,
        "description_html": render_markdown(reuse.description),
        "can_edit": permissions.can_edit_reuse(request.user, reuse),
    }
    return render(request, "catalog/reuse_detail.html", context)


@login_required
@require_POST
def reuse_delete(request: HttpRequest, pk: int) -> HttpResponse:
    community.reuse_delete(actor=_user(request), reuse=_reuse(request, pk))
    messages.success(request, _("The reuse has been removed."))
    return redirect(reverse("catalog:reuse_list"))


@login_required
@require_http_methods(["GET", "POST"])
def discussion_create(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _public_dataset(request, slug)
    if not permissions.can_discuss(request.user, dataset):
        raise PermissionDenied
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion = community.discussion_open(
                actor=_user(request), dataset=dataset, **form.cleaned_data
            )
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(discussion)
    return render(request, "catalog/discussion_form.html", {"form": form, "dataset": dataset})


@require_http_methods(["GET", "POST"])
def discussion_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A discussion; signed-in people reply, the organisation answers in its name and closes."""
    discussion = _discussion(request, slug, pk)
    dataset = discussion.dataset
    speaks_for = permissions.can_speak_for(request.user, dataset)
    form = DiscussionReplyForm(request.POST or None, speaks_for_organisation=speaks_for)
    if request.method == "POST":
        if not permissions.can_discuss(request.user, dataset):
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data.get("close"):
                    community.discussion_close(
                        actor=_user(request), discussion=discussion, body=form.cleaned_data["body"]
                    )
                else:
                    community.discussion_reply(
                        actor=_user(request),
                        discussion=discussion,
                        body=form.cleaned_data["body"],
                        as_organisation=form.cleaned_data.get("as_organisation", False),
                    )
            except (ValidationError, Conflict) as exc:
                apply_service_errors(form, exc)
            else:
                return redirect(discussion)
    context = {
        "discussion": discussion,
        "dataset": dataset,
        "form": form,
        "can_reply": permissions.can_discuss(request.user, dataset) and not discussion.closed_at,
    }
    return render(request, "catalog/discussion_detail.html", context)
