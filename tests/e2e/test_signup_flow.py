"""A newcomer's first visit, in a real browser, with JavaScript on and with it off: sign up,
verify the address from the email, sign in, switch language and back, sign out.

No step may depend on JavaScript: the run with it off must pass exactly like the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import Page, expect

from agora.accounts.models import User

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-passphrase-for-e2e"
CONFIRM_LINK = re.compile(r"https?://\S+?/accounts/confirm-email/[^\s/]+/")
# Agora's own French catalogue is not written yet: the French heading checked here comes from
# django-allauth's catalogue (or, later, from Agora's, which takes precedence and may reword it).
FRENCH_CHANGE_PASSWORD = ("Modifier le mot de passe", "Changer le mot de passe")


def language_cookie(page: Page) -> str | None:
    for cookie in page.context.cookies():
        if cookie["name"] == "agora_language":
            return cookie["value"]
    return None


def switch_language(page: Page, name: str, code: str) -> None:
    page.locator("form.language-switcher").get_by_role("button", name=name, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    assert language_cookie(page) == code


@pytest.mark.parametrize("js_enabled", [True, False], ids=["js-on", "js-off"])
def test_sign_up_verify_sign_in_switch_language_sign_out(
    open_page: Callable[..., Any], mailoutbox: list[Any], js_enabled: bool
) -> None:
    email = f"newcomer-{'js' if js_enabled else 'nojs'}@example.org"
    name = "Ada Newcomer"
    opened = open_page(java_script_enabled=js_enabled)
    page = opened.page

    # Sign up from the header link.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_signup")) + "$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Public name").fill(name)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    # "Verify your email address", and the message in the outbox.
    expect(page).to_have_url(re.compile(re.escape(reverse("account_email_verification_sent"))))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    message = mailoutbox[0]
    assert message.to == [email]
    link = CONFIRM_LINK.search(message.body)
    assert link, message.body
    # The link names the site's public address; the browser talks to the live server.
    page.goto(urlsplit(link.group(0)).path)

    # Confirming is a POST: a mail scanner following the link confirms nothing.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm Email Address")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    assert EmailAddress.objects.get(email=email).verified

    # Sign in; the header then names the person and links to their profile.
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:profile")) + "$"))
    account_nav = page.get_by_role("navigation", name="Your account")
    expect(account_nav.get_by_role("link", name=name)).to_have_attribute(
        "href", reverse("accounts:profile")
    )
    expect(account_nav.get_by_role("link", name="Sign in")).to_have_count(0)

    # Switch to French: the page comes back in French and the choice is remembered.
    switch_language(page, "Français", "fr")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:profile")) + "$"))
    assert User.objects.get(email=email).preferred_language == "fr"
    page.goto(reverse("account_change_password"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    heading = page.get_by_role("heading", level=1).inner_text().strip()
    assert heading in FRENCH_CHANGE_PASSWORD, heading

    # And back to English.
    switch_language(page, "English", "en")
    expect(page).to_have_url(re.compile(re.escape(reverse("account_change_password")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Password")
    assert User.objects.get(email=email).preferred_language == "en"

    # Sign out: the header offers to sign in again, still in English.
    page.get_by_role("navigation", name="Your account").get_by_role(
        "button", name="Sign out"
    ).click()
    account_nav = page.get_by_role("navigation", name="Your account")
    expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account_nav.get_by_role("link", name=name)).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert language_cookie(page) == "en"

    assert opened.console.errors() == []
