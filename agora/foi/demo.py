"""The demo's access to information: Valmont's bodies under the CRPA with the CADA as oversight
body, UK police forces (WhatDoTheyKnow's directory, when present) under FOIA 2000 with the
ICO, and requests in every state, with replies received as real email through the inbox."""

from __future__ import annotations

import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation, User
from agora.accounts.services import organisation_create
from agora.core.demo import DemoReport
from agora.foi import directory, inbox, services
from agora.foi.clock_tick import foi_clock_tick
from agora.foi.models import FoiEvent, FoiMessage, FoiRequest, FoiStage

DAY = datetime.timedelta(days=1)
BODIES = {
    # slug: (request email, category)
    "region-valmont": ("acces-documents@region-valmont.example", "Région"),
    "valmont-finances": ("prada.finances@region-valmont.example", "Direction régionale"),
    "valmont-sante": ("prada.sante@region-valmont.example", "Direction régionale"),
    "ville-saint-aurel": ("mairie@saint-aurel.example", "Commune"),
}
# The region's requests for the statistics: (days ago filed, what happened, days to answer).
REGION_HISTORY = [
    (200, "successful", 12),
    (190, "successful", 25),
    (180, "partially_successful", 26),
    (170, "successful", 20),
    (160, "not_held", 9),
    (150, "refused", 28),
    (140, "successful", 41),  # late: a month is at most 31 days
    (130, "successful", 15),
    (120, "refused", 45),  # late
    (110, "successful", 27),
    (100, "silence", 0),  # never answered: refused by silence
    (90, "successful", 18),
]
HISTORY_TITLES = [
    "Marchés de transport scolaire 2024",
    "Études de fréquentation des lycées",
    "Subventions aux associations sportives",
    "Rapports d'audit des ports régionaux",
    "Plan de gestion des haies bocagères",
    "Notes de frais du cabinet",
    "Conventions avec la SNCF",
    "Bilan carbone des bâtiments régionaux",
    "Contrat de la délégation du réseau de bus",
    "Procès-verbaux de la commission d'appel d'offres",
    "Avis de l'autorité environnementale sur la rocade",
    "Comptes rendus du comité de pilotage Très Haut Débit",
]


def _email(
    request: FoiRequest, sender: str, name: str, text: str, attachment: bytes = b""
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = request.reply_address
    message["Subject"] = f"RE: {request.title}"
    message["Date"] = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(text)
    if attachment:
        message.add_attachment(attachment, maintype="text", subtype="csv", filename="donnees.csv")
    return message.as_bytes()


def _backdate(request: FoiRequest, days: int) -> None:
    """Moves a request's filing `days` back, as if it had been sent then."""
    sent = timezone.now() - days * DAY
    opened = timezone.localdate() - days * DAY
    FoiRequest.objects.filter(pk=request.pk).update(created=sent, sent_at=sent, last_activity=sent)
    FoiStage.objects.filter(request=request).update(opened_on=opened)
    FoiEvent.objects.filter(request=request).update(on=opened, created=sent)
    FoiMessage.objects.filter(request=request).update(created=sent)
    request.refresh_from_db()


def _answered(request: FoiRequest, on: datetime.date) -> None:
    FoiStage.objects.filter(request=request, status="closed").update(closed_on=on)
    FoiEvent.objects.filter(request=request, kind__in=["classified", "message_received"]).update(
        on=on
    )


def _bodies() -> dict[str, Organisation]:
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=[*BODIES, "cada-valmont"])}
    for slug, (email, category) in BODIES.items():
        directory.body_details_set(
            actor=None,
            organisation=found[slug],
            request_email=email,
            laws_=["fr-crpa"],
            category=category,
        )
    directory.body_details_set(
        actor=None,
        organisation=found["cada-valmont"],
        request_email="saisine@cada-valmont.example",
        laws_=["fr-crpa"],
        category="Autorité administrative indépendante",
    )
    ico = organisation_create(
        actor=None,
        name="Information Commissioner's Office (demo)",
        kind=OrganisationKind.OVERSIGHT_BODY,
        slug="ico-demo",
        jurisdiction="GB",
        website="https://ico.example",
    )
    directory.body_details_set(
        actor=None, organisation=ico, request_email="casework@ico.example", laws_=["gb-foia"]
    )
    wdtk = Path(settings.DEMO_OPENDATA_DIR).parent / "foi" / "whatdotheyknow" / "foi-directory.csv"
    if wdtk.exists():
        directory.bodies_import(
            actor=None, text=wdtk.read_text(encoding="utf-8"), default_laws=["gb-foia"]
        )
    else:
        police = organisation_create(
            actor=None,
            name="Demo Constabulary",
            kind=OrganisationKind.PUBLIC_BODY,
            jurisdiction="GB",
        )
        directory.body_details_set(
            actor=None,
            organisation=police,
            request_email="foi@constabulary.example",
            laws_=["gb-foia"],
        )
    return found


def load(report: DemoReport) -> None:
    if FoiRequest.objects.exists():
        return
    bodies = _bodies()
    region = bodies["region-valmont"]
    julie = User.objects.get(email="julie.petit@valmont.example")
    tom = User.objects.get(email="tom.bernard@valmont.example")
    citizen = User.objects.get(email="citizen@valmont.example")
    ines = User.objects.get(email="ines.moreau@valmont.example")
    officer = ("prada@region-valmont.example", "Personne responsable de l'accès aux documents")

    def ask(
        user: User, body: Organisation, title: str, text: str, days: int, **extra: Any
    ) -> FoiRequest:
        (request,) = services.foi_request_create(
            actor=user, bodies=[body], title=title, text=text, **extra
        )
        _backdate(request, days)
        return request

    def reply(
        request: FoiRequest, text: str, attachment: bytes = b"", sender: tuple[str, str] = officer
    ) -> None:
        inbox.mail_receive(_email(request, sender[0], sender[1], text, attachment), via="demo")

    # The region's record, for its statistics.
    for (days, what, took), title in zip(REGION_HISTORY, HISTORY_TITLES, strict=True):
        request = ask(
            julie if days % 20 else citizen,
            region,
            title,
            f"Bonjour,\n\nJe souhaite obtenir la communication des documents suivants : {title.lower()}.\n\nCordialement.",
            days,
        )
        if what == "silence":
            continue
        reply(
            request,
            "Madame, Monsieur,\n\nVeuillez trouver ci-joint notre réponse.\n",
            b"annee;montant\n2024;1200\n",
        )
        reason = (
            "Secret des affaires (article L311-6 du CRPA)."
            if what in ("refused", "partially_successful")
            else ""
        )
        services.foi_request_classify(
            actor=request.requester, request=request, classification=what, reason=reason
        )
        _answered(request, request.stage.opened_on + took * DAY)  # type: ignore[union-attr]
    # Every state, with a realistic thread.
    ask(
        julie,
        region,
        "Contrats de déneigement 2025",
        "Je demande la copie des contrats de déneigement des routes régionales signés en 2025.",
        5,
    )
    waiting = ask(
        tom,
        bodies["valmont-sante"],
        "Délais d'attente aux urgences",
        "Je demande les statistiques mensuelles des délais d'attente aux urgences en 2025.",
        20,
    )
    reply(
        waiting,
        "Bonjour,\n\nPourriez-vous préciser quels établissements sont concernés ?\n",
        sender=("prada.sante@region-valmont.example", "Direction de la santé"),
    )
    services.foi_request_classify(
        actor=tom, request=waiting, classification="clarification_requested"
    )
    refused = ask(
        citizen,
        bodies["valmont-finances"],
        "Rapport de la chambre régionale des comptes (pré-rapport)",
        "Je demande le pré-rapport provisoire de la chambre régionale des comptes.",
        75,
    )
    reply(
        refused,
        "Le document demandé est préparatoire et ne peut être communiqué (article L311-2 du CRPA).",
        sender=("prada.finances@region-valmont.example", "Direction des finances"),
    )
    services.foi_request_classify(
        actor=citizen,
        request=refused,
        classification="refused",
        reason="Document préparatoire",
        exemptions="article L311-2 du CRPA",
    )
    _answered(refused, timezone.localdate() - 60 * DAY)
    stage = services.foi_stage_open(
        actor=citizen, request=refused, key="cada", text=services.stage_letter(refused, "cada")
    )
    services.foi_stage_decide(
        actor=ines,
        stage=stage,
        decision="upheld",
        summary="Avis favorable : le rapport définitif a été publié, le document n'est plus préparatoire.",
    )
    services.foi_decision_followed(actor=ines, stage=stage, followed="not_followed")
    pending = ask(
        tom,
        bodies["valmont-sante"],
        "Rapports d'inspection des EHPAD",
        "Je demande les rapports d'inspection des EHPAD de la région établis en 2025.",
        50,
    )
    reply(
        pending,
        "Ces rapports comportent des informations couvertes par le secret médical.",
        sender=("prada.sante@region-valmont.example", "Direction de la santé"),
    )
    services.foi_request_classify(
        actor=tom,
        request=pending,
        classification="refused",
        reason="Secret médical",
        exemptions="article L311-6 du CRPA",
    )
    _answered(pending, timezone.localdate() - 15 * DAY)
    services.foi_stage_open(
        actor=tom, request=pending, key="cada", text=services.stage_letter(pending, "cada")
    )
    ask(
        julie,
        bodies["ville-saint-aurel"],
        "Permis de construire du lotissement des Vignes",
        "Je demande la copie des permis de construire délivrés pour le lotissement des Vignes.",
        45,
    )
    withdrawn = ask(
        citizen,
        bodies["ville-saint-aurel"],
        "Horaires de la déchetterie",
        "Quels sont les horaires d'hiver de la déchetterie ?",
        12,
    )
    services.foi_request_withdraw(actor=citizen, request=withdrawn)
    ask(
        julie,
        region,
        "Notes internes sur la fusion des lycées",
        "Je demande les notes internes sur le projet de fusion des lycées.",
        3,
        embargo_until=timezone.localdate() + 60 * DAY,
    )
    police = directory.requestable_bodies().exclude(slug__in=BODIES).first()
    if police is not None:
        ask(
            tom,
            police,
            "Stop and search statistics 2025",
            "Please send the monthly stop and search figures for 2025, by ethnicity.",
            40,
            real_name="Tom Bernard",
        )
        extended = ask(
            tom,
            police,
            "Police vehicle fleet",
            "Please provide a list of the vehicles in your fleet, with their year.",
            25,
            real_name="Tom Bernard",
        )
        services.foi_request_classify(
            actor=tom, request=extended, classification="deadline_extended"
        )
    tick = foi_clock_tick()
    report.lines.append(
        f"Access to information: {FoiRequest.objects.count()} requests "
        f"({len(tick.overdue)} overdue, {len(tick.deemed_refusals)} refused by silence); "
        f"send replies to request-<id>-<code>@{settings.FOI_EMAIL_DOMAIN} "
        f"with `agora mail serve` on port {settings.FOI_MAIL_PORT}"
    )
