"""Reading other portals' catalogs into one shape: CKAN's action API and DCAT in RDF.

Both give a list of RemoteDataset, whatever the portal: the harvest compares these with what
it imported before. Values are mapped to ours where a vocabulary matches (licences, EU themes
and frequencies, file types) and kept as given otherwise.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from agora.catalog.choices import EU_AUTHORITY, LICENCE_URLS, Frequency, Licence, Theme
from agora.catalog.dcat import FILE_TYPES
from agora.core.fetch import fetch

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CKAN_PAGE = 100
MAX_PAGES = 200  # 20 000 datasets from CKAN; a DCAT catalog of 200 pages
MAX_CATALOG_BYTES = 50 * 1024**2


class HarvestFormatError(Exception):
    """The source answered, but not with a catalog this reader understands."""


@dataclass(frozen=True)
class RemoteResource:
    url: str
    title: str
    format: str = ""
    description: str = ""


@dataclass(frozen=True)
class RemoteDataset:
    remote_id: str
    title: str
    remote_url: str = ""  # its page on the source
    description: str = ""
    licence: str = Licence.OTHER
    licence_url: str = ""
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    frequency: str = Frequency.UNKNOWN
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_name: str = ""
    contact_email: str = ""
    modified: datetime | None = None
    resources: tuple[RemoteResource, ...] = field(default=())


def _key(url: str) -> str:
    return url.lower().split("://", 1)[-1].rstrip("/")


# Licence addresses and identifiers as CKAN portals, data.gouv.fr and the EU vocabulary give them.
LICENCE_KEYS = {_key(url): licence for licence, url in LICENCE_URLS.items()} | {
    "etalab-2.0": Licence.ETALAB_2,
    "fr-lo": Licence.ETALAB_2,
    "lov2": Licence.ETALAB_2,
    "www.etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf": (
        Licence.ETALAB_2
    ),
    "odc-odbl": Licence.ODBL_1,
    "odbl-1.0": Licence.ODBL_1,
    "opendatacommons.org/licenses/odbl": Licence.ODBL_1,
    "opendatacommons.org/licenses/odbl/1.0": Licence.ODBL_1,
    "cc-by": Licence.CC_BY_4,
    "cc-by-4.0": Licence.CC_BY_4,
    "publications.europa.eu/resource/authority/licence/cc_by_4_0": Licence.CC_BY_4,
    "cc-by-sa": Licence.CC_BY_SA_4,
    "cc-by-sa-4.0": Licence.CC_BY_SA_4,
    "publications.europa.eu/resource/authority/licence/cc_bysa_4_0": Licence.CC_BY_SA_4,
    "cc-zero": Licence.CC0_1,
    "cc0-1.0": Licence.CC0_1,
    "publications.europa.eu/resource/authority/licence/cc0": Licence.CC0_1,
}
FORMAT_NAMES = {code.lower(): name for name, code in FILE_TYPES.items()}


def _licence(identifier: str, url: str, fallback_url: str) -> tuple[str, str]:
    """Our licence for a source's identifier or address; another one keeps its address."""
    for candidate in (identifier, url):
        found = LICENCE_KEYS.get(_key(candidate)) if candidate else None
        if found is not None:
            return found, ""
    return Licence.OTHER, url if url.startswith(("http://", "https://")) else fallback_url


def _format(value: str) -> str:
    code = value.rsplit("/", 1)[-1].strip().lstrip(".").lower()
    return FORMAT_NAMES.get(code, code.upper())[:20]


def _load(url: str) -> bytes:
    body = io.BytesIO()
    fetch(url, into=body, max_bytes=MAX_CATALOG_BYTES, headers={"Accept": ACCEPT})
    return body.getvalue()


# CKAN ---------------------------------------------------------------------------------------


def ckan_datasets(base_url: str) -> Iterator[RemoteDataset]:
    """Every public dataset of a CKAN portal, through package_search, a page at a time."""
    base = base_url.rstrip("/")
    for page in range(MAX_PAGES):
        query = urlencode({"rows": CKAN_PAGE, "start": page * CKAN_PAGE, "sort": "id asc"})
        answer = _ckan_result(_load(f"{base}/api/3/action/package_search?{query}"))
        results = answer.get("results")
        if not isinstance(results, list):
            raise HarvestFormatError(_("The CKAN answer has no list of results."))
        for package in results:
            yield _ckan_dataset(base, package)
        if len(results) < CKAN_PAGE:
            return


def _ckan_result(body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise HarvestFormatError(_("The address does not answer with CKAN's JSON.")) from exc
    if not isinstance(answer, dict) or not answer.get("success"):
        raise HarvestFormatError(_("The CKAN portal answered with an error."))
    result = answer.get("result")
    if not isinstance(result, dict):
        raise HarvestFormatError(_("The CKAN answer has no result."))
    return result


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ckan_dataset(base: str, package: dict[str, Any]) -> RemoteDataset:
    name = _text(package.get("name")) or _text(package.get("id"))
    page = f"{base}/dataset/{name}"
    extras = {
        _text(e.get("key")): _text(e.get("value"))
        for e in package.get("extras") or []
        if isinstance(e, dict)
    }
    licence, licence_url = _licence(
        _text(package.get("license_id")), _text(package.get("license_url")), page
    )
    frequency = extras.get("frequency", "").upper()
    return RemoteDataset(
        remote_id=_text(package.get("id")) or name,
        title=_text(package.get("title")) or name,
        remote_url=page,
        description=_text(package.get("notes")),
        licence=licence,
        licence_url=licence_url,
        keywords=tuple(
            _text(t.get("display_name") or t.get("name"))
            for t in package.get("tags") or []
            if isinstance(t, dict)
        ),
        frequency=frequency if frequency in Frequency.values else Frequency.UNKNOWN,
        contact_name=_text(package.get("maintainer")) or _text(package.get("author")),
        contact_email=_text(package.get("maintainer_email")) or _text(package.get("author_email")),
        modified=_datetime(_text(package.get("metadata_modified"))),
        resources=tuple(
            RemoteResource(
                url=_text(r.get("url")),
                title=_text(r.get("name")) or _text(r.get("url")).rsplit("/", 1)[-1],
                format=_format(_text(r.get("format"))),
                description=_text(r.get("description")),
            )
            for r in package.get("resources") or []
            if isinstance(r, dict) and _text(r.get("url")).startswith(("http://", "https://"))
        ),
    )


def _datetime(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value) if value else None
        if parsed is None and value:
            day = parse_date(value[:10])
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:  # CKAN's timestamps are UTC, unmarked
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# DCAT ---------------------------------------------------------------------------------------

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/json;q=0.5"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


def dcat_datasets(url: str) -> Iterator[RemoteDataset]:
    """Every dataset of a DCAT catalog, following Hydra's next pages."""
    seen_pages: set[str] = set()
    next_url: str | None = url
    while next_url and next_url not in seen_pages and len(seen_pages) < MAX_PAGES:
        seen_pages.add(next_url)
        graph = _parse(_load(next_url), next_url)
        for node in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str):
            yield _dcat_dataset(graph, node)
        following = next(
            (o for p in (HYDRA.next, HYDRA.nextPage) for o in graph.objects(None, p)), None
        )
        next_url = urljoin(next_url, str(following)) if following is not None else None


def _parse(body: bytes, url: str) -> Graph:
    graph = Graph()
    text = body.lstrip()
    if text.startswith((b"{", b"[")):
        guesses = ["json-ld"]
    elif text.startswith(b"<"):
        guesses = ["xml"]
    else:
        guesses = ["turtle", "nt"]
    for rdf_format in guesses:
        try:
            graph.parse(data=body, format=rdf_format, publicID=url)
            return graph
        except Exception:  # noqa: S112  rdflib's parsers raise many kinds; try the next
            continue
    raise HarvestFormatError(_("The address does not answer with a DCAT catalog in RDF."))


def _literal(graph: Graph, node: Node, predicate: URIRef) -> str:
    language = settings.LANGUAGE_CODE
    values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    # The site's language first, then a value with no language, then any.
    values.sort(key=lambda v: (v.language != language, v.language is not None, str(v)))
    return str(values[0]).strip() if values else ""


def _uri(graph: Graph, node: Node, predicate: URIRef) -> str:
    values = sorted(str(o) for o in graph.objects(node, predicate) if isinstance(o, URIRef))
    return values[0] if values else ""


def _date(graph: Graph, node: Node, predicate: URIRef) -> date | None:
    value = _literal(graph, node, predicate)
    found = _datetime(value)
    return found.date() if found else None


def _dcat_dataset(graph: Graph, node: Node) -> RemoteDataset:
    identifier = str(node) if isinstance(node, URIRef) else ""
    identifier = identifier or _literal(graph, node, DCTERMS.identifier)
    if not identifier:
        raise HarvestFormatError(_("A dataset of the catalog has neither address nor identifier."))
    landing = _uri(graph, node, DCAT.landingPage) or (
        identifier if identifier.startswith("http") else ""
    )
    licence_uri = _uri(graph, node, DCTERMS.license)
    distributions = sorted(set(graph.objects(node, DCAT.distribution)), key=str)
    if not licence_uri:  # DCAT-AP puts the licence on each distribution
        licence_uri = next(
            (
                _uri(graph, d, DCTERMS.license)
                for d in distributions
                if (d, DCTERMS.license, None) in graph
            ),
            "",
        )
    licence, licence_url = _licence("", licence_uri, landing)
    periodicity = _uri(graph, node, DCTERMS.accrualPeriodicity).rsplit("/", 1)[-1]
    period = next(iter(graph.objects(node, DCTERMS.temporal)), None)
    contact = next(iter(graph.objects(node, DCAT.contactPoint)), None)
    email = _uri(graph, contact, VCARD.hasEmail) if contact is not None else ""
    theme_prefix = f"{EU_AUTHORITY}data-theme/"
    return RemoteDataset(
        remote_id=identifier,
        title=_literal(graph, node, DCTERMS.title) or identifier,
        remote_url=landing,
        description=_literal(graph, node, DCTERMS.description),
        licence=licence,
        licence_url=licence_url,
        keywords=tuple(sorted({str(k).strip() for k in graph.objects(node, DCAT.keyword)})),
        themes=tuple(
            sorted(
                {
                    str(t).removeprefix(theme_prefix)
                    for t in graph.objects(node, DCAT.theme)
                    if str(t).removeprefix(theme_prefix) in Theme.values
                }
            )
        ),
        frequency=periodicity if periodicity in Frequency.values else Frequency.UNKNOWN,
        temporal_start=_date(graph, period, DCAT.startDate) if period is not None else None,
        temporal_end=_date(graph, period, DCAT.endDate) if period is not None else None,
        contact_name=_literal(graph, contact, VCARD.fn) if contact is not None else "",
        contact_email=email.removeprefix("mailto:"),
        modified=_datetime(_literal(graph, node, DCTERMS.modified)),
        resources=tuple(r for d in distributions if (r := _distribution(graph, d)) is not None),
    )


def _distribution(graph: Graph, node: Node) -> RemoteResource | None:
    url = _uri(graph, node, DCAT.downloadURL) or _uri(graph, node, DCAT.accessURL)
    if not url.startswith(("http://", "https://")):
        return None
    fmt = _uri(graph, node, DCTERMS.format) or _literal(graph, node, DCTERMS.format)
    return RemoteResource(
        url=url,
        title=_literal(graph, node, DCTERMS.title) or url.rsplit("/", 1)[-1],
        format=_format(fmt) if fmt else "",
        description=_literal(graph, node, DCTERMS.description),
    )
