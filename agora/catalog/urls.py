from django.urls import path

from agora.catalog import community_views as community
from agora.catalog import data_request_views as requests
from agora.catalog import harvest_views as harvest
from agora.catalog import views

app_name = "catalog"

urlpatterns = [
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path(
        "datasets/quality/<slug:organisation>/", views.quality_dashboard, name="quality_dashboard"
    ),
    path("datasets/harvest/<slug:organisation>/", harvest.harvest_sources, name="harvest_sources"),
    path(
        "datasets/harvest/<slug:organisation>/<int:pk>/",
        harvest.harvest_report,
        name="harvest_report",
    ),
    path(
        "datasets/harvest/<slug:organisation>/<int:pk>/run/",
        harvest.harvest_now,
        name="harvest_now",
    ),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<slug:slug>.<str:fmt>", views.dataset_rdf, name="dataset_rdf"),
    path(
        "datasets/<slug:slug>/datapackage.json",
        views.dataset_datapackage,
        name="dataset_datapackage",
    ),
    path("catalog", views.catalog_rdf, name="catalog"),
    path("catalog.<str:fmt>", views.catalog_rdf, name="catalog_rdf"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path("datasets/<slug:slug>/publish/", views.dataset_publish, name="dataset_publish"),
    path("datasets/<slug:slug>/archive/", views.dataset_archive, name="dataset_archive"),
    path("datasets/<slug:slug>/resources/new/", views.resource_create, name="resource_create"),
    path(
        "datasets/<slug:slug>/resources/<uuid:resource>/",
        views.resource_detail,
        name="resource_detail",
    ),
    path(
        "datasets/<slug:slug>/resources/<uuid:resource>/schema",
        views.table_schema,
        name="table_schema",
    ),
    path(
        "datasets/<slug:slug>/resources/<uuid:resource>/versions/<int:number>/download",
        views.version_download,
        name="version_download",
    ),
    path("data-requests/", requests.data_request_list, name="data_request_list"),
    path("data-requests/new/", requests.data_request_create, name="data_request_create"),
    path("data-requests/responses/", requests.response_records, name="response_records"),
    path("data-requests/<int:pk>/", requests.data_request_detail, name="data_request_detail"),
    path(
        "data-requests/<int:pk>/support/",
        requests.data_request_support,
        name="data_request_support",
    ),
    path(
        "data-requests/<int:pk>/comment/",
        requests.data_request_comment,
        name="data_request_comment",
    ),
    path(
        "data-requests/<int:pk>/answer/", requests.data_request_answer, name="data_request_answer"
    ),
    path("reuses/", community.reuse_list, name="reuse_list"),
    path("reuses/new/", community.reuse_create, name="reuse_create"),
    path("reuses/<int:pk>/", community.reuse_detail, name="reuse_detail"),
    path("reuses/<int:pk>/delete/", community.reuse_delete, name="reuse_delete"),
    path(
        "datasets/<slug:slug>/discussions/new/",
        community.discussion_create,
        name="discussion_create",
    ),
    path(
        "datasets/<slug:slug>/discussions/<int:pk>/",
        community.discussion_detail,
        name="discussion_detail",
    ),
]
