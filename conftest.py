"""Fixtures shared by every test: people in every role around one organisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, UserFactory, make_member

pytest_plugins = ["agora.core.tests.web_site"]

ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    # Argon2 is deliberately slow; tests create hundreds of accounts. Production keeps Argon2.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to a directory of the test's own, removed with it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> None:
    """Rate-limit counters live in the cache (a database table unless REDIS_URL is set);
    each test that uses the database starts with none."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not marker and not {"db", "transactional_db", "live_server"} & names:
        return
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    cache.clear()


@pytest.fixture
def run_tasks(transactional_db: None):  # type: ignore[no-untyped-def]
    """run_tasks() runs every queued background task now, as `agora worker --once` does.
    The worker commits as it goes, so tests that use it run outside a wrapping transaction."""

    def run() -> None:
        call_command("worker", "--once", "--no-scheduler")

    return run


@pytest.fixture
def organisation(db: None) -> Organisation:
    return OrganisationFactory(name="Région de Test", slug="region-test")


@pytest.fixture
def people(organisation: Organisation) -> dict[str, User | None]:
    """One person per role; editors, admins and staff have two-factor set up."""
    return {
        "anonymous": None,
        "citizen": UserFactory(display_name="Citizen"),
        "member": make_member(organisation, Role.MEMBER, display_name="Member"),
        "editor": make_member(organisation, Role.EDITOR, display_name="Editor"),
        "admin": make_member(organisation, Role.ADMIN, display_name="Admin"),
        "staff": UserFactory(display_name="Staff", is_staff=True, two_factor=True),
    }


@pytest.fixture
def client_as(people: dict[str, User | None]):  # type: ignore[no-untyped-def]
    """client_as("editor") -> a test client signed in as that person."""

    def make(role: str) -> Client:
        client = Client()
        user = people[role]
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
