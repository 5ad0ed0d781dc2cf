"""What a public or oversight body needs to receive requests: where to write, under which laws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import TimeStampedModel
from agora.foi.choices import CorrectionField, CorrectionStatus


class FoiBody(TimeStampedModel):
    """The access-to-information details of an organisation (a public or an oversight body).

    For an oversight body, `laws` are the laws whose appeals it hears."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="foi_body"
    )
    request_email = models.EmailField(_("email for requests"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    laws = models.JSONField(_("laws that apply"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    bounced_at = models.DateTimeField(_("mail last bounced"), null=True, blank=True)
    bounce_detail = models.CharField(_("bounce"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("body's access-to-information details")
        verbose_name_plural = _("bodies' access-to-information details")

    def __str__(self) -> str:
        return str(self.organisation)


class BodyCorrection(TimeStampedModel):
    """Someone says the directory is wrong about a body; staff decide."""

    body = models.ForeignKey(FoiBody, on_delete=models.CASCADE, related_name="corrections")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    field = models.CharField(_("what is wrong"), max_length=20, choices=CorrectionField.choices)
    value = models.TextField(_("correct value"), blank=True)
    note = models.TextField(_("how you know"), blank=True)
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.field} of {self.body_id}"
