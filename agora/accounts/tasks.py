"""Background work of the accounts module."""

from __future__ import annotations

from django.tasks import task

from agora.accounts import services
from agora.accounts.models import Invitation


@task
def invitation_send(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is not None:  # revoked and deleted meanwhile: nothing to send
        services.invitation_email_send(invitation)
