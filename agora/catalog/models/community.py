"""Reuses of datasets and discussions about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import (
    ReuseKind,
)
from agora.catalog.models.datasets import Dataset
from agora.core.models import TimeStampedModel
from agora.core.validators import validate_single_line


class Reuse(TimeStampedModel):
    """Something made with datasets: an application, a visualisation, an article, an API."""

    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=ReuseKind.choices)
    url = models.URLField(_("address"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reuses"
    )
    datasets = models.ManyToManyField(Dataset, related_name="reuses", verbose_name=_("datasets"))

    class Meta:
        verbose_name = _("reuse")
        verbose_name_plural = _("reuses")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:reuse_detail", kwargs={"pk": self.pk})


class Discussion(TimeStampedModel):
    """A public thread about a dataset; the publishing organisation answers and closes it."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(_("subject"), max_length=200, validators=[validate_single_line])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:discussion_detail", kwargs={"slug": self.dataset.slug, "pk": self.pk}
        )


class DiscussionMessage(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Written for the publishing organisation, by one of its editors: shown under its name.
    as_organisation = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.discussion_id}"
