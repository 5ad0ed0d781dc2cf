"""The public ledger: entries, the Merkle tree's stored nodes, signed checkpoints, witnesses.

Rows here are only ever inserted, never updated or deleted (the head counter excepted); a
correction is a new entry that points at the one it corrects.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Organisation


class LedgerHead(models.Model):
    """The one row that appends lock, so that entries get gapless, strictly ordered indexes."""

    size = models.BigIntegerField(default=0)
    last_recorded_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"ledger of {self.size} entries"


class LedgerEntry(models.Model):
    index = models.BigIntegerField(_("number"), primary_key=True)
    recorded_at = models.DateTimeField(_("recorded"), db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    actor_name = models.CharField(_("by"), max_length=200)
    actor_role = models.CharField(_("role"), max_length=40)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="ledger_entries",
    )
    organisation_name = models.CharField(max_length=200, blank=True)
    subject_url = models.CharField(_("subject"), max_length=500, blank=True)
    subject_id = models.CharField(max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    data = models.JSONField(_("details"), default=dict)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        related_name="corrections",
    )
    # The exact bytes hashed as the leaf (RFC 8785 canonical JSON of all of the above).
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["index"]
        indexes = [models.Index(fields=["organisation", "index"], name="ledger_org_index")]

    def __str__(self) -> str:
        return f"#{self.index} {self.action}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:entry_detail", kwargs={"index": self.index})


class LedgerNode(models.Model):
    """The hash of a completed perfect subtree above the leaves (level ≥ 1), see merkle.py."""

    level = models.SmallIntegerField()
    position = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "position"], name="ledger_node_unique")
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.position}"


class Checkpoint(models.Model):
    """A signed tree head, as a C2SP checkpoint note."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    created = models.DateTimeField(auto_now_add=True)
    note = models.TextField()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Witness(models.Model):
    """An outside party (an audit office, an NGO) that cosigns checkpoints it has verified."""

    name = models.CharField(_("key name"), max_length=200, unique=True)
    vkey = models.CharField(_("verifier key"), max_length=500)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    line = models.TextField()
    signed_at = models.DateTimeField()
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["witness", "checkpoint"], name="ledger_cosignature_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.checkpoint.size}"
