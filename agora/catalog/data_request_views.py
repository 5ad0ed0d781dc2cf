"""Pages of the data requests board: ask for data, support, comment; organisations answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.accounts import selectors as account_selectors
from agora.accounts.models import User
from agora.catalog import permissions, selectors, services
from agora.catalog.choices import DataRequestStatus
from agora.catalog.forms import DataRequestAnswerForm, DataRequestCommentForm, DataRequestForm
from agora.catalog.models import DataRequest
from agora.catalog.views import organisation_filter
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.forms import apply_service_errors
from agora.core.markdown import render_markdown
from agora.core.pagination import InvalidCursor


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _found(request: HttpRequest, pk: int) -> DataRequest:
    try:
        return selectors.data_request_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@require_GET
def data_request_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_filter(request)
    status = request.GET.get("status", "")
    status = status if status in DataRequestStatus.values else ""
    overdue = request.GET.get("overdue") == "1"
    sort = "supported" if request.GET.get("sort") == "supported" else "recent"
    try:
        page = selectors.data_request_list(
            actor=request.user,
            organisation=organisation,
            status=status or None,
            overdue=overdue,
            sort=sort,
            cursor=request.GET.get("cursor") or None,
        )
    except InvalidCursor:
        return redirect(reverse("catalog:data_request_list"))
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "page": page,
        "organisation": organisation,
        "organisations": account_selectors.organisation_choices(),
        "status": status,
        "statuses": DataRequestStatus.choices,
        "overdue": overdue,
        "sort": sort,
        "query": query.urlencode(),
    }
    return render(request, "catalog/data_request_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def data_request_create(request: HttpRequest) -> HttpResponse:
    initial = {"organisation": request.GET.get("organisation", "")}
    form = DataRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.data_request_create(actor=_user(request), **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request is published. The organisation is due to answer by %(date)s.")
                % {"date": date_format(created.due)},
            )
            return redirect(created)
    return render(request, "catalog/data_request_form.html", {"form": form})


@require_GET
def data_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(request, pk)
    return _detail_page(request, found, DataRequestCommentForm(), _answer_form(found))


def _answer_form(found: DataRequest, data: object = None) -> DataRequestAnswerForm:
    initial = {"status": found.status if found.status != DataRequestStatus.OPEN else ""}
    return DataRequestAnswerForm(data, organisation=found.organisation, initial=initial)


def _detail_page(
    request: HttpRequest,
    found: DataRequest,
    comment_form: DataRequestCommentForm,
    answer_form: DataRequestAnswerForm,
) -> HttpResponse:
    context = {
        "data_request": found,
        "description_html": render_markdown(found.description),
        "comments": selectors.data_request_comments(request=found),
        "supported": selectors.data_request_supported(actor=request.user, request=found),
        "can_support": permissions.can_support(request.user, found),
        "can_comment": permissions.can_request_data(request.user),
        "can_answer": permissions.can_answer(request.user, found),
        "comment_form": comment_form,
        "answer_form": answer_form,
    }
    return render(request, "catalog/data_request_detail.html", context)


@login_required
@require_POST
def data_request_support(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(request, pk)
    support = request.POST.get("support") != "0"
    services.data_request_support(actor=_user(request), request=found, support=support)
    messages.success(
        request, _("Thank you for your support.") if support else _("Your support is withdrawn.")
    )
    return redirect(found)


@login_required
@require_POST
def data_request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(request, pk)
    form = DataRequestCommentForm(request.POST)
    if form.is_valid():
        try:
            services.data_request_comment(actor=_user(request), request=found, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(found)
    return _detail_page(request, found, form, _answer_form(found))


@login_required
@require_POST
def data_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(request, pk)
    if not permissions.can_answer(request.user, found):
        raise PermissionDenied
    form = _answer_form(found, request.POST)
    if form.is_valid():
        try:
            services.data_request_answer(actor=_user(request), request=found, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer is published."))
            return redirect(found)
    return _detail_page(request, found, DataRequestCommentForm(), form)


@require_GET
def response_records(request: HttpRequest) -> HttpResponse:
    records = selectors.response_records()
    return render(request, "catalog/data_request_responses.html", {"records": records})
