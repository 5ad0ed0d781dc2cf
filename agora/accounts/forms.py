"""HTML forms. They parse and validate input; the services do the work."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.accounts.choices import OrganisationKind, Role, TokenScope
from agora.accounts.models import User
from agora.core.validators import validate_single_line


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Public name"),
        max_length=80,
        validators=[validate_single_line],
        help_text=_("Shown next to what you publish. You may use a pseudonym."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def signup(self, request: Any, user: User) -> None:
        """Required by allauth; the adapter has already stored the fields."""


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Public name"),
        max_length=80,
        validators=[validate_single_line],
        help_text=_("Shown next to what you publish. You may use a pseudonym."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
        required=False,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “budget dashboard”."),
    )
    scopes = forms.ChoiceField(
        label=_("Access"),
        choices=[
            (TokenScope.READ, _("Read only")),
            (f"{TokenScope.READ},{TokenScope.WRITE}", _("Read and write")),
        ],
        widget=forms.RadioSelect,
        initial=TokenScope.READ,
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. After this day the token stops working."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_at(self) -> Any:
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        if day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        # The token works until the end of the chosen day.
        return timezone.make_aware(datetime.combine(day, time.max))


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_single_line])
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Public email"), required=False)
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        max_length=100,
        required=False,
        help_text=_("Where it has authority, e.g. a country or region code such as FR or FR-IDF."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists."),
    )

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:  # what kind of body it is, staff decide
            del self.fields["kind"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
