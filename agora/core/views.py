"""Site-wide pages: home, search, language, health, errors."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.tasks import TaskResultStatus
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agora.core import health, problems, selectors
from agora.core.modules import modules
from agora.core.pagination import InvalidCursor
from agora.core.permissions import is_staff
from agora.core.search import providers, search


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"modules": modules()})


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    labels = {k: p.label for k, p in providers().items()}
    kinds = [kind] if kind in labels else None
    page, error = None, ""
    if query:
        try:
            page = search(query, kinds=kinds, cursor=request.GET.get("cursor") or None)
        except InvalidCursor as exc:
            error = str(exc)
    context = {
        "query": query,
        "kind": kind if kinds else "",
        "labels": labels,
        "page": page,
        "error": error,
    }
    template = (
        "core/_search_results.html" if request.headers.get("HX-Request") else "core/search.html"
    )
    response = render(request, template, context, status=400 if error else 200)
    patch_vary_headers(response, ["HX-Request"])  # the fragment and the page share a URL
    return response


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be indexed; personal pages are not worth crawling."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Each dependency's status; what failed and why only for staff and local probes, since
    error texts can name hosts and accounts."""
    results = health.run_checks()
    ok = all(r.ok for r in results)
    detailed = is_staff(request.user) or request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")
    checks: dict[str, dict[str, object]] = {}
    for r in results:
        checks[r.name] = {"status": "ok" if r.ok else "failing", "ms": r.duration_ms}
        if detailed:
            checks[r.name]["detail"] = r.detail
    body = {"status": "ok" if ok else "failing", "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)


def _error_page(request: HttpRequest, status: int, template: str) -> HttpResponse:
    if problems.is_api_request(request):
        slug = {403: "permission-denied", 404: "not-found", 400: "bad-request"}.get(
            status, "server-error"
        )
        return problems.problem_response(request, slug)
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    if problems.is_api_request(request):
        return problems.problem_response(request, "server-error")
    # No context processors: the error may come from one of them.
    body = get_template("errors/500.html").render(
        {"request_id": getattr(request, "request_id", ""), "SITE_NAME": settings.SITE_NAME}
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {
        "reason": _(
            "The form had expired or was sent from elsewhere. Go back, reload the page and try again."
        )
    }
    return render(request, "errors/403.html", context, status=403)


@require_GET
def staff_tasks(request: HttpRequest) -> HttpResponse:
    """Background tasks and periodic schedules, with their outcomes (staff only)."""
    context = {
        "schedules": selectors.schedule_overview(actor=request.user),
        "runs": selectors.task_runs(actor=request.user, status=request.GET.get("status") or None),
        "statuses": TaskResultStatus.choices,
    }
    return render(request, "core/staff_tasks.html", context)
