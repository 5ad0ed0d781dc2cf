"""API tokens for tests, made through the same service as in the profile."""

from __future__ import annotations

from datetime import datetime

from agora.accounts import services
from agora.accounts.models import User


def bearer(user: User, *scopes: str, expires_at: datetime | None = None) -> dict[str, str]:
    """Request headers carrying a new token of `user` with `scopes` (read by default)."""
    _token, secret = services.api_token_create(
        user=user, name="test", scopes=list(scopes or ["read"]), expires_at=expires_at
    )
    return {"Authorization": f"Bearer {secret}"}
