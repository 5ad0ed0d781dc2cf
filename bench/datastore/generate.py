"""The benchmark's reproducible table: 12 columns of text, integers, decimals, dates and
categories, the same rows for a given seed and size on every machine."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

COLUMNS = [
    "id",
    "commune",
    "departement",
    "categorie",
    "fournisseur",
    "objet",
    "montant",
    "quantite",
    "taux",
    "date_commande",
    "date_paiement",
    "statut",
]
COMMUNES = [
    f"{prefix}{suffix}"
    for prefix in ("Saint-", "Sainte-", "Le ", "La ", "Les ", "")
    for suffix in (
        "Aubin",
        "Étienne",
        "Martin",
        "Ormes",
        "Valmont",
        "Pierre",
        "Denis",
        "Brieuc",
        "Malo",
        "Nazaire",
        "Rémy",
        "Genis",
        "Jean",
        "Lô",
    )
]
CATEGORIES = [
    "Fournitures",
    "Travaux",
    "Services",
    "Études",
    "Informatique",
    "Énergie",
    "Transport",
    "Restauration",
]
STATUTS = ["payé", "en attente", "annulé", "litige"]
WORDS = (
    "entretien réparation voirie éclairage public école cantine bâtiment chauffage "
    "logiciel licence maintenance nettoyage espaces verts mobilier bureau papier "
    "carburant véhicule formation conseil audit sécurité incendie toiture"
).split()


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)  # noqa: S311  reproducible figures, not secrets
    start = date(2020, 1, 1)
    suppliers = [f"Entreprise {rng.randrange(10**5):05d} SARL" for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(1, rows + 1):
            ordered = start + timedelta(days=rng.randrange(2000))
            writer.writerow(
                [
                    i,
                    rng.choice(COMMUNES),
                    f"{rng.randrange(1, 96):02d}",
                    rng.choice(CATEGORIES),
                    rng.choice(suppliers),
                    " ".join(rng.choices(WORDS, k=rng.randrange(3, 9))),
                    f"{rng.lognormvariate(7, 1.5):.2f}",
                    rng.randrange(1, 500),
                    f"{rng.random() * 20:.3f}",
                    ordered.isoformat(),
                    (ordered + timedelta(days=rng.randrange(5, 90))).isoformat(),
                    rng.choice(STATUTS),
                ]
            )
