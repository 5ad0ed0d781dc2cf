"""Writes of the catalog's community: reuses of datasets, and discussions about them, which the
publishing organisation answers as itself (on the record) and closes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.models import User
from agora.catalog import permissions
from agora.catalog.choices import ReuseKind
from agora.catalog.models import Dataset, Discussion, DiscussionMessage, Reuse
from agora.catalog.search import ReuseSearch, reuse_document
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.core.search import search_index, search_remove
from agora.core.text_input import clean_text
from agora.ledger.services import ledger_record


@transaction.atomic
def reuse_create(
    *,
    actor: User,
    title: str,
    kind: str,
    url: str,
    datasets: list[Dataset],
    description: str = "",
) -> Reuse:
    """Shares something made with public datasets."""
    if not permissions.can_add_reuse(actor):
        raise PermissionDenied(_("Sign in to share a reuse."))
    if kind not in ReuseKind.values:
        raise ValidationError({"kind": _("Choose the kind of reuse.")})
    if not datasets or any(not d.is_public for d in datasets):
        raise ValidationError({"datasets": _("Choose at least one published dataset.")})
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Give a web address (https://…).")})
    reuse = Reuse(
        title=clean_text(title, "title", required=True, limit=200),
        kind=kind,
        url=url,
        description=clean_text(description, "description"),
        author=actor,
    )
    reuse.full_clean(exclude=["author", "datasets"])
    reuse.save()
    reuse.datasets.set(datasets)
    search_index(reuse_document(reuse))
    return reuse


@transaction.atomic
def reuse_delete(*, actor: User, reuse: Reuse) -> None:
    if not permissions.can_edit_reuse(actor, reuse):
        raise PermissionDenied(_("Only its author can remove a reuse."))
    search_remove(kind=ReuseSearch.kind, key=str(reuse.pk))
    reuse.delete()


@transaction.atomic
def discussion_open(*, actor: User, dataset: Dataset, title: str, body: str) -> Discussion:
    if not permissions.can_discuss(actor, dataset):
        raise PermissionDenied(_("Sign in to discuss a published dataset."))
    discussion = Discussion.objects.create(
        dataset=dataset,
        title=clean_text(title, "title", required=True, limit=200),
        author=actor,
    )
    DiscussionMessage.objects.create(
        discussion=discussion, author=actor, body=clean_text(body, "body", required=True)
    )
    return discussion


@transaction.atomic
def discussion_reply(
    *, actor: User, discussion: Discussion, body: str, as_organisation: bool = False
) -> DiscussionMessage:
    """A message; for the organisation, by one of its editors, is an official answer."""
    dataset = discussion.dataset
    if not permissions.can_discuss(actor, dataset):
        raise PermissionDenied(_("Sign in to discuss a published dataset."))
    if as_organisation and not permissions.can_speak_for(actor, dataset):
        raise PermissionDenied(_("Only the organisation's editors can answer in its name."))
    if discussion.closed_at is not None:
        raise Conflict(_("This discussion is closed."))
    message = DiscussionMessage.objects.create(
        discussion=discussion,
        author=actor,
        body=clean_text(body, "body", required=True),
        as_organisation=as_organisation,
    )
    if as_organisation:
        _record(actor, discussion, "catalog.discussion.answer", message)
    return message


@transaction.atomic
def discussion_close(*, actor: User, discussion: Discussion, body: str = "") -> Discussion:
    """The organisation closes a discussion, with a last word if it has one."""
    if not permissions.can_speak_for(actor, discussion.dataset):
        raise PermissionDenied(_("Only the organisation's editors can close its discussions."))
    if discussion.closed_at is not None:
        raise Conflict(_("This discussion is closed."))
    message = None
    if body.strip():
        message = DiscussionMessage.objects.create(
            discussion=discussion,
            author=actor,
            body=clean_text(body, "body"),
            as_organisation=True,
        )
    discussion.closed_at = timezone.now()
    discussion.closed_by = actor
    discussion.save(update_fields=["closed_at", "closed_by", "modified"])
    _record(actor, discussion, "catalog.discussion.close", message)
    return discussion


def _record(
    actor: User, discussion: Discussion, action: str, message: DiscussionMessage | None
) -> None:
    dataset = discussion.dataset
    template = (
        gettext_lazy("Closed the discussion “%(title)s” on “%(dataset)s”")
        if action.endswith("close")
        else gettext_lazy("Answered the discussion “%(title)s” on “%(dataset)s”")
    )
    ledger_record(
        actor=actor,
        organisation=dataset.organisation,
        action=action,
        subject=discussion,
        summary=public_text(template, title=discussion.title, dataset=dataset.title),
        data={
            "dataset": dataset.slug,
            "discussion": discussion.pk,
            "message": message.body if message else None,
        },
    )
