"""A request for information, the legal stages it goes through, and its public timeline."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.core.models import TimeStampedModel
from agora.foi.choices import (
    EventKind,
    Followed,
    Outcome,
    OversightDecision,
    RequestStatus,
    StageStatus,
)


class FoiBatch(TimeStampedModel):
    """The same request sent to several bodies: one FoiRequest per body."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="foi_batches"
    )
    title = models.CharField(_("title"), max_length=200)

    def __str__(self) -> str:
        return self.title


def published(today: datetime.date | None = None) -> models.Q:
    """What the public sees: neither hidden by moderators nor under embargo on `today`."""
    today = today or timezone.localdate()
    return models.Q(hidden=False) & (
        models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=today)
    )


class FoiRequest(TimeStampedModel):
    slug = models.SlugField(max_length=90, unique=True)
    title = models.CharField(_("summary"), max_length=200)
    text = models.TextField(_("your request"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="foi_requests"
    )
    public_name = models.CharField(_("name shown in public"), max_length=120)
    real_name = models.CharField(_("name given to the body"), max_length=120)
    body = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="foi_requests",
        verbose_name=_("public body"),
    )
    law_code = models.CharField(_("law"), max_length=40, db_index=True)
    batch = models.ForeignKey(
        FoiBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=RequestStatus.choices,
        default=RequestStatus.AWAITING_RESPONSE,
        db_index=True,
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    refusal_reason = models.TextField(_("reason given"), blank=True)
    exemptions = models.CharField(_("exemptions cited"), max_length=300, blank=True)
    stage = models.ForeignKey(
        "FoiStage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply_address = models.EmailField(max_length=200, unique=True)
    embargo_until = models.DateField(_("publish after"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    awaiting_classification = models.BooleanField(default=False, db_index=True)
    # The current stage's clock, kept up to date by the services and the clock task so that
    # lists and statistics can filter on it.
    due_on = models.DateField(_("answer due"), null=True, blank=True, db_index=True)
    very_overdue_on = models.DateField(null=True, blank=True)
    clock_state = models.CharField(max_length=20, blank=True, db_index=True)
    last_activity = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-last_activity", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("foi:request_detail", kwargs={"slug": self.slug})

    @property
    def is_embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()


class FoiStage(models.Model):
    """One step of the law's chain: the request itself, a review, the oversight body, a court."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=40)
    handler = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="foi_cases",
        help_text=_("The body or oversight body that must answer at this stage."),
    )
    opened_on = models.DateField(_("filed"))
    filing_deadline = models.DateField(_("last day to file"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=StageStatus.choices, default=StageStatus.OPEN)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    decision = models.CharField(max_length=20, choices=OversightDecision.choices, blank=True)
    followed = models.CharField(max_length=20, choices=Followed.choices, blank=True)
    deemed = models.BooleanField(default=False, help_text=_("Closed by silence, not by an answer."))
    closed_on = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "key"], name="foi_stage_once_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.key}"

    @property
    def label(self) -> str:
        """The step's name in its law ("Internal review"), or its key if the law dropped it."""
        from agora.foi.laws import laws

        try:
            return laws()[self.request.law_code].stage(self.key).label
        except KeyError:
            return self.key


class FoiEvent(models.Model):
    """One line of a request's public timeline; clock events (pauses, extensions) come from here."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="events")
    stage = models.ForeignKey(
        FoiStage, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    on = models.DateField(_("date"), default=timezone.localdate)
    created = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    as_body = models.BooleanField(default=False, help_text=_("Done by an official of the body."))
    message = models.ForeignKey(
        "FoiMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"


class Redaction(models.Model):
    """Text masked in everything public about a request, beyond what is masked automatically."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="redactions")
    text = models.CharField(_("text to mask"), max_length=300)
    created = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"redaction {self.pk}"


class FoiReport(models.Model):
    """Someone reports a request (abuse, personal data); moderators decide."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("what is wrong"))
    created = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"report {self.pk}"
