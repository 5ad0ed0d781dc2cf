"""Root URLs."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from agora import apidocs
from agora.accounts.admin import admin_has_permission
from agora.accounts.sitemaps import OrganisationSitemap
from agora.api import api
from agora.catalog.sitemaps import DatasetSitemap
from agora.core.sitemaps import MainPagesSitemap

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # sign in through allauth, with 2FA
admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]

SITEMAPS = {
    "main": MainPagesSitemap,
    "datasets": DatasetSitemap,
    "organisations": OrganisationSitemap,
}

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("agora.core.urls")),
    path("", include("agora.accounts.urls")),
    path("", include("agora.ledger.urls")),
    path("", include("agora.catalog.urls")),
    path("foi/", include("agora.foi.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/docs", apidocs.api_docs, name="api_docs"),
    path("api/v1/problems/<slug:slug>", apidocs.problem_type, name="problem_type"),
    path("api/v1/", api.urls),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler400 = "agora.core.views.bad_request"
handler403 = "agora.core.views.permission_denied"
handler404 = "agora.core.views.page_not_found"
handler500 = "agora.core.views.server_error"
