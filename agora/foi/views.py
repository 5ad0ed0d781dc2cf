"""Pages of access to information: file a request, follow it, take the next legal step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.accounts.models import User
from agora.core.errors import Conflict, PermissionDenied, ValidationError, error_message
from agora.core.forms import apply_service_errors
from agora.foi import (
    calendar_export,
    directory,
    inbox,
    permissions,
    selectors,
    services,
    statistics,
)
from agora.foi.choices import CLASSIFICATION_LABELS, RequestStatus
from agora.foi.forms import (
    BodiesImportForm,
    BodyDetailsForm,
    ClassifyForm,
    CorrectionForm,
    DecisionForm,
    FollowedForm,
    FollowupForm,
    RedactionForm,
    ReportForm,
    RequestForm,
    StageForm,
)
from agora.foi.laws import laws
from agora.foi.models import FoiRequest


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _classify_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in CLASSIFICATION_LABELS.items()]


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    law_code = request.GET.get("law", "")
    law_code = law_code if law_code in laws() else ""
    overdue = request.GET.get("overdue") == "1"
    body = selectors.body_directory().filter(slug=request.GET.get("body", "")).first()
    found = selectors.foi_request_list(
        actor=request.user, status=status, law_code=law_code, overdue=overdue, body=body
    )[:200]
    context = {
        "requests": found,
        "status": status,
        "statuses": RequestStatus.choices,
        "law": law_code,
        "laws": selectors.law_list(),
        "overdue": overdue,
        "body": body,
    }
    return render(request, "foi/request_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {
        "real_name": user.display_name,
        "bodies": request.GET.getlist("body"),
        "title": request.GET.get("title", "")[:200],  # kept from a look for earlier requests
    }
    form = RequestForm(request.POST or None, initial=initial, bodies=directory.requestable_bodies())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.foi_request_create(
                actor=user,
                bodies=list(data["bodies"]),
                title=data["title"],
                text=data["text"],
                real_name=data["real_name"],
                pseudonym=data["pseudonym"],
                embargo_until=data["embargo_until"],
            )
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            if len(created) == 1:
                messages.success(request, _("Your request was sent. Replies will appear here."))
                return redirect(created[0])
            messages.success(
                request,
                _("Your request was sent to %(n)d bodies, one request each.") % {"n": len(created)},
            )
            return redirect("foi:request_mine")
    similar = selectors.similar_requests(request.GET.get("title", "") or form.data.get("title", ""))
    context = {"form": form, "similar": similar, "chosen_bodies": initial["bodies"]}
    return render(request, "foi/request_form.html", context)


@require_GET
def similar_requests(request: HttpRequest) -> HttpResponse:
    """Earlier requests like the one being typed (htmx fragment; a plain page without it)."""
    found = selectors.similar_requests(request.GET.get("title", ""), actor=request.user)
    return render(request, "foi/_similar.html", {"similar": found})


@login_required
@require_GET
def request_mine(request: HttpRequest) -> HttpResponse:
    found = selectors.requests_of(_user(request))
    return render(request, "foi/request_mine.html", {"requests": found})


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    """The queue of a body's officials, and of an oversight body's caseworkers."""
    return render(request, "foi/cases.html", {"requests": selectors.cases_of(_user(request))})


def _detail_context(request: HttpRequest, foi: FoiRequest) -> dict[str, object]:
    user = request.user
    context: dict[str, object] = {
        "foi": foi,
        "law": selectors.request_law(foi),
        "clock": selectors.stage_clock(foi.stage)
        if foi.stage and foi.stage.status == "open"
        else None,
        "timeline": selectors.timeline(foi),
        "messages_": selectors.request_messages(foi),
        "stages": selectors.request_stages(foi),
        "private": permissions.can_view_private(user, foi),
        "can_write": permissions.can_write(user, foi),
        "can_classify": permissions.can_classify(user, foi),
        "next_steps": services.next_steps(foi) if permissions.can_write(user, foi) else [],
        "followup_form": FollowupForm(),
        "classify_form": ClassifyForm(choices=_classify_choices()),
        "redaction_form": RedactionForm(),
        "report_form": ReportForm(),
        "decision_form": DecisionForm(),
        "followed_form": FollowedForm(),
        "can_decide": foi.stage is not None
        and foi.stage.status == "open"
        and selectors.stage_decided_outside(foi.stage)
        and permissions.can_decide(user, foi.stage),
        "follow_up": (decided := selectors.decided_stage(foi)) is not None
        and not decided.followed
        and permissions.can_decide(user, decided),
        "can_close": permissions.can_write(user, foi)
        and foi.stage is not None
        and foi.stage.status != "open",
    }
    return context


@require_GET
def request_detail(request: HttpRequest, slug: str) -> HttpResponse:
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    return render(request, "foi/request_detail.html", _detail_context(request, foi))


def _act(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    user = _user(request)
    post = request.POST
    try:
        if action == "fee_paid":
            services.foi_fee_paid(actor=user, request=foi)
        elif action == "withdraw":
            services.foi_request_withdraw(actor=user, request=foi)
        elif action == "close":
            services.foi_request_close(actor=user, request=foi)
        elif action == "redact":
            services.foi_redaction_add(actor=user, request=foi, text=post.get("text", ""))
            messages.success(request, _("The text is masked everywhere on this request."))
        elif action == "approve":
            services.foi_attachment_approve(
                actor=user,
                request=foi,
                attachment_id=int(post.get("attachment", "0") or 0),
                approved=post.get("approved") == "1",
            )
        elif action == "decide" and foi.stage is not None:
            services.foi_stage_decide(
                actor=user,
                stage=foi.stage,
                decision=post.get("decision", ""),
                summary=post.get("summary", ""),
            )
        elif action == "followed":
            stage = selectors.decided_stage(foi)
            if stage is None:
                raise ValidationError(_("No decided appeal to follow up."))
            services.foi_decision_followed(
                actor=user, stage=stage, followed=post.get("followed", "")
            )
        elif action == "report":
            services.foi_report(actor=user, request=foi, reason=post.get("reason", ""))
            messages.success(request, _("Thank you: moderators will look at this request."))
        else:
            raise Http404
    except (ValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, error_message(exc))
    return redirect(foi)


def _form_act(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Writing to the body and classifying a reply: a mistake shows on the form, kept as typed."""
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    user = _user(request)
    form: FollowupForm | ClassifyForm
    if action == "followup":
        form = FollowupForm(request.POST)
    else:
        form = ClassifyForm(request.POST, choices=_classify_choices())
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "followup":
                services.foi_followup_send(actor=user, request=foi, text=data["text"])
                messages.success(request, _("Your message was sent."))
            else:
                services.foi_request_classify(actor=user, request=foi, **data)
                messages.success(request, _("Thank you: the request's status is updated."))
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, error_message(exc))
            return redirect(foi)
        else:
            return redirect(foi)
    context = _detail_context(request, foi)
    context[f"{action}_form"] = form
    return render(request, "foi/request_detail.html", context)


@login_required
@require_POST
def request_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action in ("followup", "classify"):
        return _form_act(request, slug, action)
    return _act(request, slug, action)


@login_required
@require_http_methods(["GET", "POST"])
def stage_open(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    if not permissions.can_write(request.user, foi):
        raise Http404
    step = next((s for s in services.next_steps(foi) if s["key"] == key), None)
    if step is None:
        messages.error(request, _("This step is not open to this request now."))
        return redirect(foi)
    form = StageForm(request.POST or None, initial={"text": services.stage_letter(foi, key)})
    if request.method == "POST" and form.is_valid():
        try:
            services.foi_stage_open(
                actor=_user(request), request=foi, key=key, text=form.cleaned_data["text"]
            )
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            if step["handled_by"] == "court":
                messages.success(
                    request,
                    _(
                        "Recorded. File the application with the court yourself; the letter is "
                        "kept with the request, and you can record the judgment here."
                    ),
                )
            else:
                messages.success(request, _("Sent. The clock of this step has started."))
            return redirect(foi)
    return render(request, "foi/stage_form.html", {"foi": foi, "step": step, "form": form})


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The secure page linked from each request email: the body records what its reply is."""
    foi = selectors.request_by_answer_token(token)
    if foi is None:
        raise Http404
    form = ClassifyForm(request.POST or None, choices=_classify_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.foi_answer_record(token_request=foi, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the answer is recorded on the public request."))
            return redirect("foi:answer", token=token)
    return render(request, "foi/answer.html", {"foi": foi, "form": form})


@require_GET
def request_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    response = HttpResponse(
        calendar_export.request_ics(foi), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{foi.slug}.ics"'
    return response


@require_GET
def attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    foi = selectors.foi_request_get(actor=request.user, slug=slug)
    attachment = selectors.attachment_get(actor=request.user, request=foi, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )


@require_GET
def body_list(request: HttpRequest) -> HttpResponse:
    context = {
        "bodies": selectors.body_directory(request.GET.get("q", "")),
        "can_import": permissions.can_moderate(request.user),
    }
    return render(request, "foi/body_list.html", context)


@require_GET
def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = directory.body_get(slug)
    details = getattr(organisation, "foi_body", None)
    context = {
        "body": organisation,
        "details": details,
        "body_laws": [laws()[code] for code in (details.laws if details else []) if code in laws()],
        "rows": [statistics.for_body(organisation)],
        "min_sample": statistics.MIN_SAMPLE,
        "requests": directory.body_requests(request.user, organisation),
        "can_edit": permissions.can_edit_body(request.user, organisation),
        "correction_form": CorrectionForm() if details else None,
    }
    return render(request, "foi/body_detail.html", context)


@login_required
@require_POST
def body_correction(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = directory.body_get(slug)
    form = CorrectionForm(request.POST)
    details = getattr(organisation, "foi_body", None)
    if details is not None and form.is_valid():
        try:
            directory.correction_suggest(actor=_user(request), body=details, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Thank you: the site team will check your correction."))
    else:
        messages.error(request, _("Choose what is wrong, and give the correct value."))
    return redirect("foi:body_detail", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = directory.body_get(slug)
    if not permissions.can_edit_body(request.user, organisation):
        raise Http404
    details = getattr(organisation, "foi_body", None)
    initial = {}
    if details is not None:
        initial = {
            "request_email": details.request_email,
            "postal_address": details.postal_address,
            "laws": details.laws,
            "category": details.category,
        }
    form = BodyDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            directory.body_details_set(
                actor=_user(request),
                organisation=organisation,
                request_email=data["request_email"],
                postal_address=data["postal_address"],
                laws_=data["laws"],
                category=data["category"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The body's details have been saved."))
            return redirect("foi:body_detail", slug=slug)
    return render(request, "foi/body_form.html", {"body": organisation, "form": form})


@require_GET
def bodies_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(directory.bodies_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="public-bodies.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bodies_import(request: HttpRequest) -> HttpResponse:
    if not permissions.can_moderate(request.user):
        raise Http404
    form = BodiesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = directory.bodies_import(
                actor=_user(request),
                text=directory.decode_csv(data["file"].read()),
                default_laws=data["default_laws"],
                dry_run=data["dry_run"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    context = {"form": form, "report": report}
    return render(request, "foi/bodies_import.html", context)


@require_GET
def law_list(request: HttpRequest) -> HttpResponse:
    return render(request, "foi/law_list.html", {"laws": selectors.law_list()})


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    context = {
        "overall_rows": [statistics.overall()],
        "bodies": statistics.by_body(),
        "laws": statistics.by_law(),
        "min_sample": statistics.MIN_SAMPLE,
    }
    return render(request, "foi/statistics.html", context)


@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("json", "csv"):
        raise Http404
    rows = [f.as_dict() for f in statistics.by_body()]
    if fmt == "json":
        payload = {
            "min_sample": statistics.MIN_SAMPLE,
            "overall": statistics.overall().as_dict(),
            "bodies": rows,
            "laws": [f.as_dict() for f in statistics.by_law()],
        }
        return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(statistics.figures_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="foi-statistics.csv"'
    return response


@require_GET
def oversight_page(request: HttpRequest) -> HttpResponse:
    context = {
        "bodies": statistics.by_body(),
        "oversight": statistics.oversight_figures(),
        "min_sample": statistics.MIN_SAMPLE,
    }
    return render(request, "foi/oversight.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest) -> HttpResponse:
    """Held mail, reports and directory corrections: the site team's queue."""
    if not permissions.can_moderate(request.user):
        raise Http404
    if request.method == "POST":
        try:
            _moderate(request)
        except (ValidationError, Conflict, PermissionDenied) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Done."))
        return redirect("foi:moderation")
    context = {
        "held": selectors.held_mail()[:100],
        "reports": selectors.open_reports()[:100],
        "corrections": selectors.pending_corrections()[:100],
    }
    return render(request, "foi/moderation.html", context)


def _moderate(request: HttpRequest) -> None:
    user = _user(request)
    action, pk = request.POST.get("action", ""), int(request.POST.get("pk", "0") or 0)
    if action in ("release", "reject"):
        incoming = selectors.held_mail().filter(pk=pk).first()
        if incoming is None:
            raise ValidationError(_("This message is no longer held."))
        if action == "reject":
            inbox.incoming_reject(actor=user, incoming=incoming)
            return
        target = selectors.request_for_moderation(request.POST.get("request", ""), incoming)
        if target is None:
            raise ValidationError(
                _("No request has this address; give the last part of its page's address.")
            )
        inbox.incoming_release(actor=user, incoming=incoming, request=target)
    elif action in ("hide", "dismiss"):
        report = selectors.open_reports().filter(pk=pk).first()
        if report is None:
            raise ValidationError(_("This report was already handled."))
        services.foi_request_hide(
            actor=user, request=report.request, hidden=action == "hide", reason=report.reason[:300]
        )
    elif action in ("accept", "refuse"):
        correction = selectors.pending_corrections().filter(pk=pk).first()
        if correction is None:
            raise ValidationError(_("This correction was already reviewed."))
        directory.correction_review(actor=user, correction=correction, accept=action == "accept")
    else:
        raise ValidationError(_("Unknown action."))
