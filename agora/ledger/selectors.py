"""Reads of the ledger. Everything in it is public."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from agora.core.errors import ValidationError
from agora.core.pagination import Page, keyset_page
from agora.ledger import merkle
from agora.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    Witness,
)

ENTRY_PAGE_MAX = 1000  # the verifier reads whole logs


def ledger_size() -> int:
    head = LedgerHead.objects.filter(pk=1).values_list("size", flat=True).first()
    return int(head or 0)


def node_fetch(keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
    """Stored hashes by (level, position): leaves from the entries, the rest from the nodes."""
    wanted = set(keys)
    leaves = [position for level, position in wanted if level == 0]
    found: dict[merkle.NodeKey, bytes] = {
        (0, index): bytes(digest)
        for index, digest in LedgerEntry.objects.filter(index__in=leaves).values_list(
            "index", "leaf_hash"
        )
    }
    # The exact keys, level by level: filtering on every wanted level and every wanted position
    # reads their whole cross product, O(log² n) rows for O(log n) keys.
    inner: dict[int, list[int]] = {}
    for level, position in wanted:
        if level > 0:
            inner.setdefault(level, []).append(position)
    if inner:
        exact = Q()
        for level, positions in inner.items():
            exact |= Q(level=level, position__in=positions)
        for level, position, digest in LedgerNode.objects.filter(exact).values_list(
            "level", "position", "hash"
        ):
            found[(level, position)] = bytes(digest)
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"the ledger lacks stored nodes {sorted(missing)[:5]}")
    return found


def entry_list(
    *,
    actor: Any,
    organisation: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[LedgerEntry]:
    """Entries in log order; `action` matches a dotted prefix (foi matches foi.request.*)."""
    entries: QuerySet[LedgerEntry] = LedgerEntry.objects.select_related("organisation")
    if "\x00" in f"{organisation}{action}":  # stored text has none; PostgreSQL would raise
        entries = entries.none()
    if organisation:
        entries = entries.filter(organisation__slug=organisation)
    if action:
        action = action.rstrip(".")
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if since:
        entries = entries.filter(recorded_at__gte=since)
    if until:
        entries = entries.filter(recorded_at__lt=until)
    return keyset_page(
        entries, order=("index",), cursor=cursor, limit=limit, max_limit=ENTRY_PAGE_MAX
    )


def entry_get(*, actor: Any, index: int) -> LedgerEntry:
    """Raises LedgerEntry.DoesNotExist."""
    return LedgerEntry.objects.select_related("organisation", "corrects").get(index=index)


def action_names() -> list[str]:
    return list(LedgerEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def _check_size(size: int, label: str) -> None:
    current = ledger_size()
    if not 1 <= size <= current:
        raise ValidationError(
            {
                label: _("Give a tree size between 1 and %(size)d, the current size.")
                % {"size": current}
            }
        )


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    proof: list[bytes]
    root: bytes


def inclusion_proof(*, index: int, tree_size: int) -> InclusionProof:
    _check_size(tree_size, "tree_size")
    if not 0 <= index < tree_size:
        raise ValidationError({"index": _("The entry must be in the tree: 0 ≤ index < tree_size.")})
    nodes = merkle.resolve(
        [(index, index + 1), *merkle.inclusion_plan(index, tree_size), (0, tree_size)], node_fetch
    )
    return InclusionProof(index, tree_size, nodes[0], nodes[1:-1], nodes[-1])


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes


def consistency_proof(*, first: int, second: int) -> ConsistencyProof:
    _check_size(second, "second")
    if not 1 <= first <= second:
        raise ValidationError({"first": _("The first size must be between 1 and the second.")})
    plan = merkle.consistency_plan(first, second) if first < second else []
    nodes = merkle.resolve([*plan, (0, first), (0, second)], node_fetch)
    return ConsistencyProof(first, second, nodes[:-2], nodes[-2], nodes[-1])


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.first()


def checkpoint_at(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(size=size).first()


def checkpoint_list(*, cursor: str | None = None, limit: int | None = None) -> Page[Checkpoint]:
    return keyset_page(
        Checkpoint.objects.all(),
        order=("size",),
        cursor=cursor,
        limit=limit,
        max_limit=ENTRY_PAGE_MAX,
    )


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The checkpoint as signed by the log, with every witness cosignature it has received."""
    lines = checkpoint.cosignatures.order_by("witness__name").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


@dataclass(frozen=True)
class WitnessStatus:
    witness: Witness
    latest_size: int | None
    latest_at: datetime | None


def witnesses_overview() -> list[WitnessStatus]:
    result = []
    for witness in Witness.objects.select_related("organisation"):
        latest = Cosignature.objects.filter(witness=witness).aggregate(
            size=Max("checkpoint__size"), at=Max("signed_at")
        )
        result.append(WitnessStatus(witness, latest["size"], latest["at"]))
    return result
