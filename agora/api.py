"""The API: one NinjaAPI under /api/v1/ that mounts each app's router."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from ninja import NinjaAPI

from agora.accounts.api import router as accounts_router
from agora.accounts.apiauth import ApiAuth
from agora.catalog.api import router as catalog_router
from agora.catalog.data_api import router as data_router
from agora.core.api import router as core_router
from agora.core.apierrors import JsonOnlyParser, install_problem_handlers
from agora.core.problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from agora.foi.api import router as foi_router
from agora.ledger.api import router as ledger_router

API_VERSION = "1.0.0"
PREFIX = "/api/v1/"
PUBLIC_OPERATION = "x-agora-public"
PROBLEM_REF = "#/components/schemas/Problem"


class AgoraAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["servers"] = [{"url": settings.SITE_URL}]
        for path in schema["paths"].values():
            for operation in path.values():
                # Operations open to anyone list "no credentials" as an alternative (OpenAPI's {}).
                if operation.pop(PUBLIC_OPERATION, False):
                    operation["security"] = [{}, *operation.get("security", [])]
                for status, response in operation["responses"].items():
                    _describe_problem(int(status), response)
        return schema


def _describe_problem(status: int, response: dict[str, Any]) -> None:
    """Errors are served as application/problem+json; ninja documents every body as JSON."""
    content = response.get("content", {})
    body = content.get("application/json")
    if body is None or body.get("schema", {}).get("$ref") != PROBLEM_REF:
        return
    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "The scheme to authenticate with: Bearer.",
                "schema": {"type": "string"},
            }
        }
    elif status == 405:
        response["headers"] = {
            "Allow": {
                "description": "The methods this address accepts.",
                "schema": {"type": "string"},
            }
        }
    elif status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer", "minimum": 1},
                "required": True,
            }
        }


def openapi_document() -> str:
    """The OpenAPI document as committed in docs/api/openapi.json (a test compares them).

    The server is left out: it is the site's own address, which differs between deployments
    (the document served at /api/v1/openapi.json names it).
    """
    schema = api.get_openapi_schema(path_prefix=PREFIX)
    schema.pop("servers", None)
    # A round trip through JSON turns ninja's integer status codes into the strings that
    # sort_keys can order.
    plain = json.loads(json.dumps(schema))
    return json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
api.add_router("/", ledger_router)
api.add_router("/", catalog_router)
api.add_router("/", data_router)
api.add_router("/", foi_router)
