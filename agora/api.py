"""The API: one NinjaAPI under /api/v1/ that mounts each app's router."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import NinjaAPI

from agora.accounts.api import router as accounts_router
from agora.core.api import router as core_router
from agora.accounts.apiauth import ApiAuth
from agora.core.apierrors import JsonOnlyParser, install_problem_handlers

API_VERSION = "1.0.0"
PUBLIC_OPERATION = "x-agora-public"


class AgoraAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["servers"] = [{"url": settings.SITE_URL}]
        # Operations open to anyone list "no credentials" as an alternative (OpenAPI's {}).
        for path in schema["paths"].values():
            for operation in path.values():
                if operation.pop(PUBLIC_OPERATION, False):
                    operation["security"] = [{}, *operation.get("security", [])]
        return schema


api = AgoraAPI(
    title="Agora API",
    version=API_VERSION,
    description=(
        "The open API of Agora. Read endpoints are public; personal tokens (Authorization: "
        "Bearer) unlock your own data and writes. Errors are RFC 9457 problem documents; "
        "lists are keyset-paginated with a `next` link."
    ),
    urls_namespace="api",
    auth=ApiAuth(),
    parser=JsonOnlyParser(),
    docs_url=None,
    openapi_url="/openapi.json",
)
install_problem_handlers(api)
api.add_router("/", core_router)
api.add_router("/", accounts_router)
