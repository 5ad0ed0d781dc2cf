"""The fictional Région de Valmont: its organisations and people, built through services."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from agora.accounts import services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Organisation, User
from agora.core.demo import DemoReport

ORGANISATIONS = [
    # slug, name, kind, parent slug, jurisdiction, website, identifiers, description
    (
        "region-valmont",
        "Région de Valmont",
        OrganisationKind.PUBLIC_BODY,
        None,
        "FR-VAL",
        "https://region-valmont.example",
        [("FR-SIREN", "200099001")],
        "La Région de Valmont gère les lycées, les transports régionaux, le développement "
        "économique et la formation professionnelle.\n\n*Collectivité fictive de démonstration.*",
    ),
    (
        "valmont-finances",
        "Direction des finances de Valmont",
        OrganisationKind.PUBLIC_BODY,
        "region-valmont",
        "FR-VAL",
        "",
        [],
        "Budget régional, marchés publics et subventions.",
    ),
    (
        "valmont-sante",
        "Direction de la santé publique de Valmont",
        OrganisationKind.PUBLIC_BODY,
        "region-valmont",
        "FR-VAL",
        "",
        [],
        "Hôpitaux, prévention et santé environnementale dans la région.",
    ),
    (
        "ville-saint-aurel",
        "Ville de Saint-Aurel",
        OrganisationKind.PUBLIC_BODY,
        None,
        "FR-VAL",
        "https://saint-aurel.example",
        [("FR-SIREN", "210099002")],
        "Chef-lieu de la Région de Valmont, 84 000 habitants.",
    ),
    (
        "cada-valmont",
        "Commission d'accès aux documents de Valmont",
        OrganisationKind.OVERSIGHT_BODY,
        None,
        "FR-VAL",
        "",
        [],
        "Autorité indépendante qui rend des avis sur les refus de communication de documents administratifs.",
    ),
    (
        "transparence-valmont",
        "Transparence Valmont",
        OrganisationKind.CIVIL_SOCIETY,
        None,
        "FR-VAL",
        "https://transparence-valmont.example",
        [("FR-RNA", "W991000123")],
        "Association citoyenne pour l'ouverture des données publiques et la lutte contre la corruption.",
    ),
    (
        "courrier-valmont",
        "Le Courrier de Valmont",
        OrganisationKind.MEDIA,
        None,
        "FR-VAL",
        "",
        [],
        "Quotidien régional d'information.",
    ),
    (
        "batiments-durand",
        "Bâtiments Durand SA",
        OrganisationKind.COMPANY,
        None,
        "FR-VAL",
        "",
        [("FR-SIREN", "999123456")],
        "Entreprise de construction et de rénovation de bâtiments publics.",
    ),
]

PEOPLE = [
    # email, display name, language, staff, memberships [(org slug, role)], label
    ("admin@valmont.example", "Équipe Agora", "fr", True, [], "staff"),
    (
        "camille.martin@valmont.example",
        "Camille Martin",
        "fr",
        False,
        [("region-valmont", Role.ADMIN), ("valmont-finances", Role.ADMIN)],
        "admin of Région de Valmont",
    ),
    (
        "samir.haddad@valmont.example",
        "Samir Haddad",
        "fr",
        False,
        [("region-valmont", Role.EDITOR), ("valmont-sante", Role.EDITOR)],
        "editor of Région de Valmont",
    ),
    (
        "lea.dubois@valmont.example",
        "Léa Dubois",
        "fr",
        False,
        [("region-valmont", Role.MEMBER)],
        "member of Région de Valmont",
    ),
    (
        "ines.moreau@valmont.example",
        "Inès Moreau",
        "fr",
        False,
        [("cada-valmont", Role.ADMIN)],
        "admin of the oversight body",
    ),
    (
        "tom.bernard@valmont.example",
        "Tom Bernard",
        "en",
        False,
        [("transparence-valmont", Role.ADMIN)],
        "admin of Transparence Valmont",
    ),
    (
        "julie.petit@valmont.example",
        "Julie Petit",
        "fr",
        False,
        [("courrier-valmont", Role.MEMBER)],
        "journalist, member of Le Courrier",
    ),
    ("citizen@valmont.example", "Citoyen·ne curieux·se", "en", False, [], "citizen"),
]


def demo_password(email: str) -> str:
    return email.split("@")[0].split(".")[0] + "-valmont-demo"


def demo_totp_secret(email: str) -> str:
    """Stable per installation (derived from SECRET_KEY), never stored in the repository."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-totp:{email}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()[:20]).decode()


def load(report: DemoReport) -> None:
    organisations: dict[str, Organisation] = {
        o.slug: o for o in Organisation.objects.filter(slug__in=[row[0] for row in ORGANISATIONS])
    }
    for slug, name, kind, parent, jurisdiction, website, identifiers, description in ORGANISATIONS:
        if slug not in organisations:
            organisations[slug] = services.organisation_create(
                actor=None,
                slug=slug,
                name=name,
                kind=kind,
                parent=organisations[parent] if parent else None,
                jurisdiction=jurisdiction,
                website=website,
                description=description,
                identifiers=identifiers,
            )
    for email, name, language, staff, memberships, label in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = services.user_create(
                email=email,
                password=demo_password(email),
                display_name=name,
                preferred_language=language,
                is_superuser=staff,
                email_verified=True,
            )
            for slug, role in memberships:
                services.membership_add(
                    actor=None, organisation=organisations[slug], user=user, role=role
                )
        secret = ""
        if any(role in (Role.ADMIN, Role.EDITOR) for _slug, role in memberships) or staff:
            secret = demo_totp_secret(email)
            services.user_enable_totp(user=user, secret=secret)
        report.accounts.append((email, demo_password(email), label, secret))
