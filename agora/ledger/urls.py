from django.urls import path

from agora.ledger import views

app_name = "ledger"

urlpatterns = [
    path("ledger/", views.entry_list, name="entry_list"),
    path("ledger/entries/<int:index>/", views.entry_detail, name="entry_detail"),
    path("ledger/verify/", views.how_to_verify, name="verify"),
    path(".well-known/agora-ledger.vkey", views.public_key, name="public_key"),
]
