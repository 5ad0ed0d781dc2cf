from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public body")
    OVERSIGHT_BODY = "oversight_body", _("Oversight body")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    COMPANY = "company", _("Company")
    MEDIA = "media", _("Media")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    MEMBER = "member", _("Member")


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
