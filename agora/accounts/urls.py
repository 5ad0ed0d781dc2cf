from django.urls import path

from agora.accounts import views

app_name = "accounts"

urlpatterns = [
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/my-data.json", views.personal_data_download, name="personal_data"),
    path("accounts/profile/delete/", views.account_delete, name="account_delete"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<slug:slug>/members/",
        views.organisation_members,
        name="organisation_members",
    ),
    path("organisations/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/accept/", views.invitation_accept, name="invitation_accept"),
]
