"""Sign-up, verification, sign-in with two factors, password reset, email change and
throttling, through allauth's real pages."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client

from agora.accounts.models import User
from agora.accounts.tests.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def totp_now(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_sign_up_keeps_the_public_name_and_language_and_requires_verification() -> None:
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Nina@Example.org",
            "display_name": "Nina P.",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    user = User.objects.get(email="nina@example.org")
    assert (user.display_name, user.preferred_language) == ("Nina P.", "fr")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Not verified yet: signing in leads to the verification notice, not in.
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "nina@example.org", "password": PASSWORD})
    assert fresh.get("/accounts/profile/").status_code == 302

    confirm = link_in(mail.outbox[0])
    assert client.get(confirm).status_code == 200  # GET shows a confirm button, no side effect
    assert not EmailAddress.objects.get(user=user).verified
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    signed_in = Client()
    signed_in.post("/accounts/login/", {"login": "nina@example.org", "password": PASSWORD})
    assert signed_in.get("/accounts/profile/").status_code == 200


def test_sign_up_requires_a_public_name() -> None:
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "x@example.org",
            "display_name": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.org").exists()


def test_staff_sign_in_asks_for_the_second_factor() -> None:
    staff = UserFactory(is_staff=True, two_factor=True)
    client = Client()
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert client.get("/accounts/profile/").status_code == 302  # not signed in yet
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert client.get("/accounts/profile/").status_code == 302
    client.post("/accounts/2fa/authenticate/", {"code": totp_now(TOTP_SECRET)})
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/staff/tasks/").status_code == 200


def test_password_reset_by_email() -> None:
    user = UserFactory()
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    reset = client.get(link_in(mail.outbox[0]), follow=True)
    form_url = reset.redirect_chain[-1][0] if reset.redirect_chain else link_in(mail.outbox[0])
    new = "another-long-passphrase-42"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_email_change_is_verified_before_it_takes_effect() -> None:
    user = UserFactory(email="old@example.org")
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]
    user.refresh_from_db()
    assert user.email == "old@example.org"
    client.post(link_in(mail.outbox[0]))
    user.refresh_from_db()
    assert user.email == "new@example.org"


def test_repeated_failed_sign_ins_are_throttled() -> None:
    user = UserFactory()
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    locked = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert locked.status_code == 429


def test_throttling_counts_the_client_behind_the_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NUM_PROXIES = 1
    user = UserFactory()
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    owner = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.44"}
    for _ in range(6):
        Client().post("/accounts/login/", {"login": user.email, "password": "wrong"}, **attacker)
    locked = Client().post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, **attacker
    )
    assert locked.status_code == 429
    # The owner, from another address behind the same proxy, still gets in.
    ok = Client().post("/accounts/login/", {"login": user.email, "password": PASSWORD}, **owner)
    assert ok.status_code == 302
