"""Human-readable API reference, rendered on the server from the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agora.api import api
from agora.core.problems import PROBLEM_TYPES

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return schema["components"]["schemas"].get(name, {})
    return node


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = []
            for param in op.get("parameters", []):
                param_schema = _resolve(schema, param.get("schema", {}))
                parameters.append(
                    {
                        "name": param["name"],
                        "in": param["in"],
                        "required": param.get("required", False),
                        "type": param_schema.get("type") or "string",
                        "description": (
                            param.get("description") or param_schema.get("description", "")
                        ),
                    }
                )
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_schema = _resolve(schema, body.get("schema", {})) if body else {}
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or ["general"])[0],
                    "public": {} in op.get("security", [{}]),
                    "parameters": parameters,
                    "body_fields": sorted(body_schema.get("properties", {}).keys()),
                    "responses": sorted(str(code) for code in op.get("responses", {})),
                    "anchor": re.sub(r"[/{}]+", "-", f"{method}{path}").strip("-"),
                }
            )
    return operations


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    context = {
        "info": schema["info"],
        "operations": _operations(schema),
        "problems": PROBLEM_TYPES.values(),
    }
    return render(request, "core/api_docs.html", context)


@require_GET
def problem_type(request: HttpRequest, slug: str) -> HttpResponse:
    problem = PROBLEM_TYPES.get(slug)
    if problem is None:
        raise Http404
    return render(request, "core/problem_type.html", {"problem": problem})
