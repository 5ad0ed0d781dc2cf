"""Messages of a request, and every mail received, kept raw."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.core.models import TimeStampedModel
from agora.foi.choices import Delivery, Direction, HoldReason, MailStatus, MessageKind


def mail_path(instance: models.Model, filename: str) -> str:
    return f"foi/mail/{uuid.uuid4().hex}.eml"


def attachment_path(instance: models.Model, filename: str) -> str:
    return f"foi/attachments/{uuid.uuid4().hex}"


class IncomingMail(TimeStampedModel):
    """Every message that reaches the receiver, as received, before anything else is done."""

    raw = models.FileField(upload_to=mail_path, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    envelope_from = models.CharField(max_length=300, blank=True)
    envelope_to = models.JSONField(default=list)
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    from_address = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    received_via = models.CharField(max_length=10, default="smtp")
    status = models.CharField(max_length=10, choices=MailStatus.choices, db_index=True)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    problems = models.JSONField(default=list, blank=True)
    request = models.ForeignKey(
        "foi.FoiRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"mail {self.pk} ({self.status})"


class FoiMessage(TimeStampedModel):
    request = models.ForeignKey("foi.FoiRequest", on_delete=models.CASCADE, related_name="messages")
    stage = models.ForeignKey(
        "foi.FoiStage", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_address = models.CharField(max_length=300, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to_address = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text=_("As written or received; never public."))
    public_text = models.TextField(blank=True, help_text=_("With personal data masked."))
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    delivery_detail = models.CharField(max_length=500, blank=True)
    incoming = models.ForeignKey(
        IncomingMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    needs_classification = models.BooleanField(default=False)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.pk}"


class FoiAttachment(models.Model):
    message = models.ForeignKey(FoiMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    text = models.TextField(blank=True)
    public_text = models.TextField(blank=True)
    approved = models.BooleanField(
        _("published"), default=False, help_text=_("The requester approved its publication.")
    )
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
