"""Pages for profiles, API tokens, organisations and their members."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.accounts import permissions, selectors, services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.forms import (
    ApiTokenForm,
    DeleteAccountForm,
    InvitationForm,
    MemberRoleForm,
    OrganisationForm,
    ProfileForm,
)
from agora.accounts.models import Organisation, User
from agora.core import modules, personal_data
from agora.core.errors import Conflict, PermissionDenied, ValidationError, error_message
from agora.core.forms import apply_service_errors
from agora.core.markdown import render_markdown
from agora.core.pagination import InvalidCursor


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    try:
        return selectors.organisation_get(actor=request.user, slug=slug)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


# Language --------------------------------------------------------------------------------


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switches language, remembered by cookie and, when signed in, on the account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
            httponly=True,
        )
        if request.user.is_authenticated:
            services.user_set_language(user=_user(request), language=language)
    return response


# Profile --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    context = {"form": form, "memberships": selectors.user_memberships(user=user)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_GET
def personal_data_download(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        **personal_data.export_all(user),
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="agora-my-data-{user.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=user)
        except Conflict as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/account_delete.html", {"form": form})
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("core:home")
    return render(request, "accounts/account_delete.html", {"form": form})


# API tokens ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"].split(","),
                expires_at=form.cleaned_data["expires_at"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
            form = ApiTokenForm()
    context = {"form": form, "tokens": selectors.user_api_tokens(user=user), "secret": secret}
    response = render(request, "accounts/api_tokens.html", context)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        token = selectors.user_api_token_get(user=user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    services.api_token_revoke(user=user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")


# Organisations -------------------------------------------------------------------------


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        kind = ""
    try:
        page = selectors.organisation_list(
            actor=request.user, kind=kind or None, cursor=request.GET.get("cursor") or None
        )
    except InvalidCursor:
        return redirect(reverse("accounts:organisation_list"))
    context = {
        "page": page,
        "kind": kind,
        "kinds": OrganisationKind.choices,
        "counts": selectors.organisation_counts_by_kind(),
        "can_create": permissions.can_create_organisation(request.user),
    }
    return render(request, "accounts/organisation_list.html", context)


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    context = {
        "organisation": organisation,
        "description_html": render_markdown(organisation.description),
        "role": Role(role).label
        if (role := permissions.role_in(request.user, organisation))
        else None,
        "can_edit": permissions.can_edit_organisation(request.user, organisation),
        "can_view_members": permissions.can_view_members(request.user, organisation),
        "module_links": modules.organisation_links(organisation),
    }
    return render(request, "accounts/organisation_detail.html", context)


def _organisation_form_page(
    request: HttpRequest, organisation: Organisation | None
) -> HttpResponse:
    initial = {}
    if organisation is not None:
        initial = {f: getattr(organisation, f) for f in OrganisationForm.base_fields}
    form = OrganisationForm(
        request.POST or None, initial=initial, staff=permissions.is_staff(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                organisation = services.organisation_create(
                    actor=_user(request), **form.cleaned_data
                )
                messages.success(request, _("The organisation has been created."))
            else:
                services.organisation_update(
                    actor=_user(request), organisation=organisation, **form.cleaned_data
                )
                messages.success(request, _("The organisation has been saved."))
        except (ValidationError, Conflict) as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(organisation)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_organisation(request.user):
        raise PermissionDenied
    return _organisation_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    return _organisation_form_page(request, organisation)


# Members -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    can_manage = permissions.can_manage_members(request.user, organisation)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invitation_create(
                    actor=_user(request), organisation=organisation, **form.cleaned_data
                )
            except (ValidationError, Conflict) as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("An invitation has been sent to %(email)s.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("accounts:organisation_members", slug=slug)
    try:
        page = selectors.organisation_members(
            actor=request.user,
            organisation=organisation,
            cursor=request.GET.get("cursor") or None,
            limit=100,
        )
    except InvalidCursor:
        return redirect("accounts:organisation_members", slug=slug)
    context = {
        "organisation": organisation,
        "page": page,
        "can_manage": can_manage,
        "form": form,
        "role_form": MemberRoleForm(),
        "own_membership": selectors.membership_of(user=request.user, organisation=organisation),
        "invitations": selectors.organisation_pending_invitations(
            actor=request.user, organisation=organisation
        )
        if can_manage
        else [],
    }
    return render(request, "accounts/organisation_members.html", context)


def _member_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    try:
        membership = selectors.membership_get(actor=request.user, organisation=organisation, pk=pk)
        if action == "role":
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose one of the roles."))
            services.membership_set_role(
                actor=_user(request), membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, _("The role has been changed."))
        else:
            services.membership_remove(actor=_user(request), membership=membership)
            messages.success(
                request,
                _("%(name)s is no longer a member.") % {"name": membership.user.display_name},
            )
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except (Conflict, ValidationError) as exc:
        messages.error(request, error_message(exc))
    if action == "remove" and membership.user_id == request.user.pk:
        return redirect(organisation)
    return redirect("accounts:organisation_members", slug=slug)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _member_action(request, slug, pk, "role")


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _member_action(request, slug, pk, "remove")


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    try:
        invitation = selectors.invitation_get(actor=request.user, organisation=organisation, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    services.invitation_revoke(actor=_user(request), invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s has been revoked.") % {"email": invitation.email}
    )
    return redirect("accounts:organisation_members", slug=slug)


INVITATION_SESSION_KEY = "agora.invitation"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """The emailed link lands here with ?token=; the token moves into the session and the
    address is cleaned at once, so the secret stays out of logs, history and referrers."""
    token = request.GET.get("token")
    if token is not None:
        request.session[INVITATION_SESSION_KEY] = token
        return redirect("accounts:invitation_accept")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = selectors.invitation_by_secret(request.session.get(INVITATION_SESSION_KEY, ""))
    if invitation is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=_user(request), invitation=invitation)
        except (ValidationError, PermissionDenied, Conflict) as exc:
            error = error_message(exc)
        else:
            del request.session[INVITATION_SESSION_KEY]
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": membership.organisation.name},
            )
            return HttpResponseRedirect(membership.organisation.get_absolute_url())
    context = {
        "invitation": invitation,
        "pending": selectors.invitation_is_pending(invitation),
        "error": error,
    }
    return render(request, "accounts/invitation_accept.html", context, status=400 if error else 200)
