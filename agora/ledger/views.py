"""Pages of the public ledger."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from agora.accounts import selectors as accounts
from agora.core.pagination import InvalidCursor
from agora.ledger import selectors
from agora.ledger.keys import log_signer


@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    organisation = request.GET.get("organisation") or None
    action = request.GET.get("action") or None
    since, until = _day(request.GET.get("since")), _day(request.GET.get("until"))
    try:
        page = selectors.entry_list(
            actor=request.user,
            organisation=organisation,
            action=action,
            since=_start_of(since),
            until=_start_of(until + timedelta(days=1)) if until else None,
            cursor=request.GET.get("cursor") or None,
            limit=50,
        )
    except InvalidCursor:
        return redirect("ledger:entry_list")
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "page": page,
        "filters": {
            "organisation": organisation or "",
            "action": action or "",
            "since": since,
            "until": until,
        },
        "query": query.urlencode(),
        "organisations": accounts.organisation_choices(),
        "actions": selectors.action_names(),
        "checkpoint": selectors.checkpoint_latest(),
        "size": selectors.ledger_size(),
        "witnesses": selectors.witnesses_overview(),
    }
    return render(request, "ledger/entry_list.html", context)


def _day(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:  # a well-formed but impossible date, such as 2026-02-31
        return None


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@require_GET
def entry_detail(request: HttpRequest, index: int) -> HttpResponse:
    try:
        entry = selectors.entry_get(actor=request.user, index=index)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    checkpoint = selectors.checkpoint_latest()
    proof = None
    if checkpoint is not None and entry.index < checkpoint.size:
        proof = selectors.inclusion_proof(index=entry.index, tree_size=checkpoint.size)
    context = {
        "entry": entry,
        "leaf_text": bytes(entry.leaf).decode(),
        "data_json": json.dumps(entry.data, ensure_ascii=False, indent=2, sort_keys=True),
        "leaf_hash": base64.b64encode(bytes(entry.leaf_hash)).decode(),
        "checkpoint": checkpoint,
        "proof": [base64.b64encode(p).decode() for p in proof.proof] if proof else None,
        "root": base64.b64encode(proof.root).decode() if proof else None,
        "corrections": entry.corrections.all(),
    }
    return render(request, "ledger/entry_detail.html", context)


@require_GET
def how_to_verify(request: HttpRequest) -> HttpResponse:
    context = {
        "vkey": log_signer().verifier().encode(),
        "checkpoint": selectors.checkpoint_latest(),
    }
    return render(request, "ledger/verify.html", context)


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    """The log's verifier key in the C2SP vkey format, at a well-known address."""
    return HttpResponse(
        log_signer().verifier().encode() + "\n", content_type="text/plain; charset=utf-8"
    )
