from django.urls import path

from agora.foi import feeds, views

app_name = "foi"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("new/similar/", views.similar_requests, name="similar_requests"),
    path("mine/", views.request_mine, name="request_mine"),
    path("cases/", views.cases, name="cases"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies.csv", views.bodies_export, name="bodies_export"),
    path("bodies/import/", views.bodies_import, name="bodies_import"),
    path("bodies/<slug:slug>/", views.body_detail, name="body_detail"),
    path("bodies/<slug:slug>/edit/", views.body_edit, name="body_edit"),
    path("bodies/<slug:slug>/correction/", views.body_correction, name="body_correction"),
    path("bodies/<slug:slug>/feed/", feeds.BodyFeed(), name="body_feed"),
    path("feed/", feeds.SearchFeed(), name="search_feed"),
    path("laws/", views.law_list, name="law_list"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/oversight/", views.oversight_page, name="oversight"),
    path("statistics.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("moderation/", views.moderation, name="moderation"),
    path("requests/<slug:slug>/", views.request_detail, name="request_detail"),
    path("requests/<slug:slug>/calendar.ics", views.request_calendar, name="request_calendar"),
    path(
        "requests/<slug:slug>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("requests/<slug:slug>/steps/<slug:key>/", views.stage_open, name="stage_open"),
    path("requests/<slug:slug>/<slug:action>/", views.request_action, name="request_action"),
]
