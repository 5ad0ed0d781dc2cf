"""The demo's catalog: the Région de Valmont publishes datasets made for the demo (their
figures are invented, reproducibly), keeps one as a draft and archives an old one."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agora.accounts.models import Organisation, User
from agora.catalog import community, ingestion, services
from agora.catalog.choices import IngestionStatus
from agora.catalog.models import DataRequest, Dataset, ResourceVersion
from agora.core.demo import DemoReport

NATURES = [
    ("011", "Charges à caractère général"),
    ("012", "Charges de personnel"),
    ("65", "Autres charges de gestion courante"),
    ("204", "Subventions d'équipement versées"),
    ("21", "Immobilisations corporelles"),
    ("23", "Immobilisations en cours"),
]
FUNCTIONS = ["Enseignement", "Transports", "Santé", "Culture", "Environnement", "Aménagement"]


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def budget_lines(year: int) -> bytes:
    rng = random.Random(year)  # noqa: S311  invented figures, the same on every install
    rows: list[list[object]] = []
    for function in FUNCTIONS:
        for code, nature in NATURES:
            voted = rng.randrange(50_000, 9_000_000)
            rows.append([year, function, code, nature, f"{voted / 100:.2f}".replace(".", ",")])
    return _csv(["exercice", "fonction", "code_nature", "nature", "montant_vote"], rows)


def air_quality(year: int) -> bytes:
    rng = random.Random(year * 7)  # noqa: S311
    stations = ["Valmont-Centre", "Valmont-Gare", "Saint-Aubin", "Les Ormes"]
    rows: list[list[object]] = []
    for month in range(1, 13):
        for station in stations:
            rows.append(
                [
                    date(year, month, 1).isoformat(),
                    station,
                    rng.randrange(8, 45),
                    rng.randrange(5, 30),
                ]
            )
    return _csv(["mois", "station", "no2_ug_m3", "pm10_ug_m3"], rows)


def load(report: DemoReport) -> None:
    region = Organisation.objects.get(slug="region-valmont")
    if Dataset.objects.filter(organisation=region).exists():
        return
    samir = User.objects.get(email="samir.haddad@valmont.example")

    budget = services.dataset_create(
        actor=samir,
        organisation=region,
        title="Budget primitif de la Région de Valmont",
        description=(
            "Crédits votés au budget primitif, par fonction et par nature comptable "
            "(nomenclature M57). Montants en euros.\n\n*Données inventées pour la démonstration.*"
        ),
        licence="etalab-2.0",
        themes=["ECON", "GOVE"],
        keywords=["budget", "finances publiques", "M57"],
        frequency="ANNUAL",
        temporal_start=date(2025, 1, 1),
        temporal_end=date(2026, 12, 31),
        spatial="Région de Valmont",
        contact_name="Direction des finances",
        contact_email="finances@region-valmont.example",
    )
    lines = services.resource_upload(
        actor=samir,
        dataset=budget,
        title="Lignes du budget primitif",
        file=SimpleUploadedFile("budget-primitif.csv", budget_lines(2025)),
    )
    services.dataset_publish(actor=samir, dataset=budget)
    services.resource_version_upload(
        actor=samir,
        resource=lines.resource,
        file=SimpleUploadedFile(
            "budget-primitif.csv",
            budget_lines(2025) + budget_lines(2026).split(b"\n", 1)[1],  # one header
        ),
    )

    air = services.dataset_create(
        actor=samir,
        organisation=region,
        title="Qualité de l'air : moyennes mensuelles",
        description="Concentrations moyennes mensuelles de NO₂ et de PM10 par station de mesure.",
        licence="odbl-1.0",
        themes=["ENVI", "HEAL"],
        keywords=["air", "pollution"],
        frequency="MONTHLY",
        spatial="Région de Valmont",
    )
    services.resource_upload(
        actor=samir,
        dataset=air,
        title="Moyennes mensuelles 2025",
        file=SimpleUploadedFile("qualite-air-2025.csv", air_quality(2025)),
    )
    services.resource_link(
        actor=samir,
        dataset=air,
        title="Carte des stations de mesure",
        url="https://www.region-valmont.example/air/stations",
        format="HTML",
    )
    services.dataset_publish(actor=samir, dataset=air)

    old = services.dataset_create(
        actor=samir,
        organisation=region,
        title="Qualité de l'air 2019",
        licence="odbl-1.0",
        themes=["ENVI"],
        frequency="NEVER",
    )
    services.resource_upload(
        actor=samir,
        dataset=old,
        title="Moyennes mensuelles 2019",
        file=SimpleUploadedFile("qualite-air-2019.csv", air_quality(2019)),
    )
    services.dataset_publish(actor=samir, dataset=old)
    services.dataset_archive(actor=samir, dataset=old)

    services.dataset_create(
        actor=samir,
        organisation=region,
        title="Équipements sportifs (en préparation)",
        licence="etalab-2.0",
        themes=["EDUC"],
    )
    _data_requests(samir, region, budget)
    _community(samir, budget, air)
    real = _real_datasets(samir, region)
    # Read the tables now, so that the demo's data API answers at once.
    for version in ResourceVersion.objects.filter(ingestion__status=IngestionStatus.QUEUED):
        ingestion.version_ingest(version.pk)
    report.lines.append(
        f"Open data: {3 + real} datasets published by Région de Valmont (one archived; "
        f"{real} from real public files), 1 draft, and data requests in every state: "
        "http://127.0.0.1:8000/datasets/"
    )


# Real files republished for the demo, when ../shared/data/opendata is beside the checkout:
# (file, title, description, themes, keywords, source address).
REAL_FILES = [
    (
        "laposte/laposte_hexasmal_2020-04_coordonnees_gps.csv",
        "Base officielle des codes postaux",
        "Correspondance entre codes postaux et codes communes INSEE, avec les coordonnées GPS "
        "(La Poste, avril 2020).",
        ["REGI", "GOVE"],
        ["codes postaux", "communes"],
        "https://github.com/jaco60/zipcodes",
    ),
    (
        "data-fair-csv-cases/single-quotes.csv",
        "Populations légales des communes",
        "Population municipale, comptée à part et totale, par commune (INSEE).",
        ["SOCI", "REGI"],
        ["population", "communes"],
        "https://github.com/data-fair/data-fair/tree/master/tests/resources/csv-cases",
    ),
    (
        "data-fair-csv-cases/Fiches_Action.csv",
        "Actions des plans climat-air-énergie territoriaux",
        "Fiches actions des PCAET : intitulé, description, date de lancement, population couverte.",
        ["ENVI", "ENER"],
        ["climat", "PCAET"],
        "https://github.com/data-fair/data-fair/tree/master/tests/resources/csv-cases",
    ),
    (
        "data-fair-csv-cases/ouverture.csv",
        "Horaires d'ouverture des bureaux de poste",
        "Plages d'ouverture de chaque bureau, jour par jour (La Poste).",
        ["ECON"],
        ["horaires", "services publics"],
        "https://github.com/data-fair/data-fair/tree/master/tests/resources/csv-cases",
    ),
    (
        "data-fair-csv-cases/jep-2019-HR.csv",
        "Journées européennes du patrimoine 2019",
        "Événements des Journées européennes du patrimoine 2019 (export OpenAgenda).",
        ["EDUC"],
        ["patrimoine", "culture"],
        "https://github.com/data-fair/data-fair/tree/master/tests/resources/csv-cases",
    ),
    (
        "ckanext-xloader/non_utf8_sample.csv",
        "Unclaimed money register (extract)",
        "Extract of an Australian register of unclaimed money, encoded in Windows-1252.",
        ["ECON"],
        ["unclaimed money"],
        "https://github.com/ckan/ckanext-xloader/tree/master/ckanext/xloader/tests/samples",
    ),
]


def _real_datasets(samir: User, region: Organisation) -> int:
    folder = Path(settings.DEMO_OPENDATA_DIR)
    published = 0
    for name, title, description, themes, keywords, source in REAL_FILES:
        path = folder / name
        if not path.is_file():
            continue
        dataset = services.dataset_create(
            actor=samir,
            organisation=region,
            title=title,
            description=(
                f"{description}\n\nFichier public réel, republié tel quel pour la démonstration. "
                f"Source : <{source}>. La source ne précise pas de licence."
            ),
            licence="other",
            licence_url=source,
            themes=themes,
            keywords=keywords,
            frequency="UNKNOWN",
        )
        services.resource_upload(
            actor=samir,
            dataset=dataset,
            title=path.name,
            file=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        services.dataset_publish(actor=samir, dataset=dataset)
        published += 1
    return published


def _community(samir: User, budget: Dataset, air: Dataset) -> None:
    julie = User.objects.get(email="julie.petit@valmont.example")
    citizen = User.objects.get(email="citizen@valmont.example")
    community.reuse_create(
        actor=julie,
        title="Où va l'argent de la Région ? Notre enquête en graphiques",
        kind="article",
        url="https://www.courrier-valmont.example/enquetes/budget-region",
        description="Le Courrier décortique le budget primitif, fonction par fonction.",
        datasets=[budget],
    )
    discussion = community.discussion_open(
        actor=citizen,
        dataset=air,
        title="Station Valmont-Gare : mesures manquantes en août ?",
        body="Les moyennes d'août semblent basses pour la station de la gare. Panne du capteur ?",
    )
    community.discussion_reply(
        actor=samir,
        discussion=discussion,
        body="Le capteur a été remplacé le 12 août : la moyenne porte sur 19 jours.",
        as_organisation=True,
    )
    community.discussion_close(actor=samir, discussion=discussion)


def _data_requests(samir: User, region: Organisation, budget: Dataset) -> None:
    citizen = User.objects.get(email="citizen@valmont.example")
    julie = User.objects.get(email="julie.petit@valmont.example")

    def ask(title: str, description: str, **answer: object) -> DataRequest:
        request = services.data_request_create(
            actor=citizen,
            organisation=region,
            title=title,
            description=description,
            reason="Pour comprendre et débattre des choix de la Région.",
        )
        services.data_request_support(actor=julie, request=request)
        if answer:
            services.data_request_answer(actor=samir, request=request, **answer)  # type: ignore[arg-type]
        return request

    ask(
        "Budget primitif détaillé par fonction",
        "Les crédits votés, par fonction et par nature, au format CSV.",
        status="published",
        answer="",
        dataset=budget,
    )
    ask(
        "Comptages vélo sur les pistes régionales",
        "Les comptages horaires de chaque compteur.",
        status="planned",
        answer="Les compteurs seront ouverts au premier trimestre.",
        planned_for=date(2027, 3, 31),
    )
    ask(
        "Salaires nominatifs des agents",
        "Le salaire de chaque agent de la Région.",
        status="refused",
        answer="Ces données sont personnelles (article L311-6 du CRPA).",
    )
    ask(
        "Qualité de l'eau des piscines municipales",
        "Les analyses de chaque piscine.",
        status="not_held",
        answer="Les piscines relèvent des communes, pas de la Région.",
    )
    ask("Subventions aux associations", "Montant, bénéficiaire et objet de chaque subvention.")
    late = ask("Consommation d'énergie des lycées", "Par lycée et par mois, depuis 2020.")
    DataRequest.objects.filter(pk=late.pk).update(
        created=timezone.now() - timedelta(days=45),
        due=timezone.localdate() - timedelta(days=15),
    )
