"""Each request has its own reply address: request-<id>-<code>@<FOI domain>.

The code is an HMAC of the id, so nobody can guess another request's address and inject
mail into it; the address is stored with the request, so changing the key later does not
orphan the replies to requests already sent.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac


def reply_address(request_id: int) -> str:
    code = salted_hmac("agora.foi.reply-address", str(request_id), algorithm="sha256")
    return f"request-{request_id}-{code.hexdigest()[:12]}@{settings.FOI_EMAIL_DOMAIN}".lower()


def placeholder(token: str) -> str:
    """Unique until the id is known and the real address replaces it, in one transaction."""
    return f"pending-{token}@invalid"
