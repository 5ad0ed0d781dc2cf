from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from agora.accounts import services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Membership, Organisation, User

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    is_staff = False

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        two_factor = kwargs.pop("two_factor", False)
        password = kwargs.pop("password", PASSWORD)
        user = User.objects.create_user(kwargs.pop("email"), password, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        if two_factor:
            services.user_enable_totp(user=user, secret=TOTP_SECRET)
        return user


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.PUBLIC_BODY


def make_member(organisation: Organisation, role: str, **user_fields: Any) -> User:
    """A user with `role` in `organisation`; editors and admins get two-factor, as required."""
    user_fields.setdefault("two_factor", role in (Role.ADMIN, Role.EDITOR))
    user: User = UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user
