"""HTML forms of the catalog. They parse and validate input; the services do the work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Organisation
from agora.catalog.choices import (
    ANSWERS,
    DatasetStatus,
    Frequency,
    HarvestKind,
    Licence,
    ReuseKind,
    Theme,
)
from agora.catalog.models import Dataset
from agora.core.validators import validate_single_line

CATALOG_PAGE_SIZE = 100
CATALOG_PAGE_MAX = 1000


class DatasetForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Publisher"), queryset=Organisation.objects.none(), to_field_name="slug"
    )
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the data is, where it comes from, how it is made. Markdown allowed."),
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    licence_url = forms.URLField(
        label=_("Licence address"),
        required=False,
        help_text=_("Only for another licence: where its text is."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Separated by commas."),
    )
    frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=Frequency.choices, initial=Frequency.UNKNOWN
    )
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spatial = forms.CharField(
        label=_("Area covered"),
        max_length=200,
        required=False,
        help_text=_("E.g. France, Île-de-France, Lyon."),
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:  # editing: the publisher does not change
            del self.fields["organisation"]
        else:
            field: Any = self.fields["organisation"]
            field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])

    def clean_keywords(self) -> list[str]:
        return [k for k in self.cleaned_data["keywords"].split(",") if k.strip()]


class ResourceUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
        help_text=_("Leave empty to use the file's name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("File"))


class ResourceLinkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")
    format = forms.CharField(
        label=_("Format"), max_length=20, required=False, help_text=_("E.g. CSV, API, HTML.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class HarvestSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_single_line])
    url = forms.URLField(
        label=_("Address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_(
            "For CKAN, the portal's address (https://data.example.org); for DCAT, the "
            "address of the catalog document."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=HarvestKind.choices)


class VersionUploadForm(forms.Form):
    file = forms.FileField(label=_("New version of the file"))


@dataclass(frozen=True)
class CatalogQuery:
    """The DCAT catalog's query: Hydra's `page` and `page_size`, and `modified_since`."""

    page: int = 1
    page_size: int = CATALOG_PAGE_SIZE
    modified_since: datetime | None = None

    @classmethod
    def parse(cls, query: QueryDict) -> CatalogQuery:
        try:
            page = int(query.get("page") or 1)
            page_size = int(query.get("page_size") or CATALOG_PAGE_SIZE)
        except ValueError as exc:
            raise ValidationError(_("page and page_size must be whole numbers.")) from exc
        if page < 1 or not 1 <= page_size <= CATALOG_PAGE_MAX:
            raise ValidationError(
                _("page starts at 1; page_size is between 1 and %(max)d.")
                % {"max": CATALOG_PAGE_MAX}
            )
        since = None
        if text := query.get("modified_since"):
            since = _parse_moment(text)
            if since is None:
                raise ValidationError(
                    _("modified_since must be an ISO 8601 date or time, e.g. 2026-01-31.")
                )
            if timezone.is_naive(since):
                since = timezone.make_aware(since, UTC)
        return cls(page=page, page_size=page_size, modified_since=since)

    def without_page(self) -> str:
        """The query string of every page of this listing (the page number left out)."""
        parts: dict[str, str | int] = (
            {"page_size": self.page_size} if self.page_size != CATALOG_PAGE_SIZE else {}
        )
        if self.modified_since is not None:
            parts["modified_since"] = self.modified_since.isoformat()
        return f"?{urlencode(parts)}" if parts else ""


def _parse_moment(text: str) -> datetime | None:
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:  # well formed, but no such date
        return None
    return moment


class DataRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Asked of"),
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        help_text=_("The organisation that holds, or should hold, the data."),
    )
    title = forms.CharField(
        label=_("Data wanted"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("In a few words, e.g. “Noise measurements near the airport”."),
    )
    description = forms.CharField(
        label=_("What exactly"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Which fields, which period, which area, how often updated."),
    )
    reason = forms.CharField(
        label=_("Why it is needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intended_use = forms.CharField(
        label=_("What you will do with it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DataRequestCommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))


class DataRequestAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(s.value, s.label) for s in ANSWERS],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required unless the data is published: why, how, or what comes next."),
    )
    planned_for = forms.DateField(
        label=_("Planned publication date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    dataset = forms.ModelChoiceField(
        label=_("Dataset that answers it"),
        queryset=Dataset.objects.none(),
        required=False,
        to_field_name="slug",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["dataset"]
        field.queryset = Dataset.objects.filter(
            organisation=organisation, status=DatasetStatus.PUBLISHED
        ).order_by("title")


class ReuseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    kind = forms.ChoiceField(label=_("Kind"), choices=ReuseKind.choices)
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets used"),
        queryset=Dataset.objects.none(),
        to_field_name="slug",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, datasets: QuerySet[Dataset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["datasets"]
        field.queryset = datasets

    def clean_datasets(self) -> list[Dataset]:
        return list(self.cleaned_data["datasets"])


class DiscussionForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=200, validators=[validate_single_line])
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))


class DiscussionReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))
    as_organisation = forms.BooleanField(
        label=_("Answer in the name of the organisation"), required=False
    )
    close = forms.BooleanField(label=_("Close the discussion"), required=False)

    def __init__(self, *args: Any, speaks_for_organisation: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not speaks_for_organisation:
            del self.fields["as_organisation"]
            del self.fields["close"]
