from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Organisation
from agora.core.validators import validate_single_line
from agora.foi.choices import CorrectionField, Followed, OversightDecision
from agora.foi.laws import laws


class RequestForm(forms.Form):
    bodies = forms.ModelMultipleChoiceField(
        label=_("Public bodies to ask"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        help_text=_(
            "Choose one, or several to send the same request to each (one request per body)."
        ),
    )
    title = forms.CharField(
        label=_("Summary"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("A one-line summary, e.g. “Air quality reports for 2025”. It is public."),
    )
    text = forms.CharField(
        label=_("Your request"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Ask for recorded information, as precisely as you can: which documents, which "
            "period. It is sent to the body by email and published here."
        ),
    )
    real_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("It is sent to the body with your request."),
    )
    pseudonym = forms.BooleanField(
        label=_("Publish under a pseudonym"),
        required=False,
        help_text=_("The body still gets your real name; the public page shows a pseudonym."),
    )
    embargo_until = forms.DateField(
        label=_("Publish only after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: keep the request private until this date (a year at most)."),
    )

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["bodies"].queryset = bodies  # type: ignore[attr-defined]


class FollowupForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}))


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("What does the latest reply say?"), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When information was withheld: the body's reason, in a few words."),
    )
    exemptions = forms.CharField(
        label=_("Exemptions cited"),
        required=False,
        max_length=300,
        help_text=_("E.g. “section 43 (commercial interests)” or “article L311-6”."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = choices  # type: ignore[attr-defined]


class StageForm(forms.Form):
    text = forms.CharField(label=_("Your letter"), widget=forms.Textarea(attrs={"rows": 16}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=OversightDecision.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Summary of the decision"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowedForm(forms.Form):
    followed = forms.ChoiceField(
        label=_("Did the body follow the decision?"),
        choices=Followed.choices,
        widget=forms.RadioSelect,
    )


class RedactionForm(forms.Form):
    text = forms.CharField(label=_("Text to mask everywhere on this request"), max_length=300)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("What is wrong"), choices=CorrectionField.choices)
    value = forms.CharField(
        label=_("The correct value"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("How you know"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this request?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReleaseForm(forms.Form):
    request = forms.CharField(
        label=_("Address of the request it belongs to (its page's last part)"), max_length=90
    )


class BodyDetailsForm(forms.Form):
    request_email = forms.EmailField(
        label=_("Email address for requests"),
        required=False,
        help_text=_("Requests and follow-ups are sent here; leave empty to stop taking requests."),
    )
    postal_address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    laws = forms.MultipleChoiceField(
        label=_("Laws the body answers under"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["laws"].choices = [(code, law_.label) for code, law_ in laws().items()]  # type: ignore[attr-defined]


class BodiesImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per body; columns: slug, name, kind, request_email, postal_address, "
            "website, jurisdiction, category, laws (codes separated by spaces). "
            "WhatDoTheyKnow's export is understood as it is."
        ),
    )
    default_laws = forms.MultipleChoiceField(
        label=_("Laws for rows that name none"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_laws"].choices = [  # type: ignore[attr-defined]
            (code, law_.label) for code, law_ in laws().items()
        ]
