"""Data requests: the public asks for data, the organisation answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import (
    DataRequestStatus,
)
from agora.catalog.models.datasets import Dataset
from agora.core.models import TimeStampedModel
from agora.core.validators import validate_single_line


class DataRequest(TimeStampedModel):
    """Someone asks for data that is not published yet; others support it; the organisation
    answers in a structured way, by a due date."""

    title = models.CharField(_("data wanted"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("what exactly"))
    reason = models.TextField(_("why it is needed"), blank=True)
    intended_use = models.TextField(_("intended use"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("asked of"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.OPEN,
        db_index=True,
    )
    due = models.DateField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    votes_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:data_request_detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return self.status == DataRequestStatus.OPEN and self.due < timezone.localdate()


class DataRequestVote(models.Model):
    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="catalog_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.request_id}"


class DataRequestComment(models.Model):
    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.request_id}"
