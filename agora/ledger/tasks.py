"""The ledger's periodic work: sign a checkpoint whenever the log has grown."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from agora.core.scheduling import periodic
from agora.ledger import services


@periodic(every=timedelta(seconds=settings.LEDGER_CHECKPOINT_INTERVAL))
@task
def publish_checkpoint() -> int | None:
    checkpoint = services.checkpoint_publish()
    return checkpoint.size if checkpoint else None
