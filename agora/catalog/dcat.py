"""The catalog in DCAT-AP 3 (RDF): the catalog with a page of its datasets, or one dataset.

Values come from the EU vocabularies where DCAT-AP asks for them (data themes, frequencies,
file types), media types are IANA addresses, dates are ISO 8601 with their XSD type, and every
node has a stable address on this site: the catalog `/catalog`, a dataset `<its page>#dataset`,
a distribution `<its resource's page>#distribution` (hash addresses: the page itself is the
landing page, a document about the thing). Values taken from vocabularies are typed with the
class DCAT-AP expects of them, so that the document validates on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from agora.catalog.choices import EU_AUTHORITY, Theme
from agora.catalog.models import Dataset, Resource, ResourceVersion, Table

ADMS = Namespace("http://www.w3.org/ns/adms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = "https://www.iana.org/assignments/media-types/"
DATA_THEME = URIRef(f"{EU_AUTHORITY}data-theme")
LANGUAGES = {"fr": "FRA", "en": "ENG"}

# Our format names -> codes of the EU file-type vocabulary.
FILE_TYPES = {
    "CSV": "CSV",
    "TSV": "TSV",
    "TXT": "TXT",
    "JSON": "JSON",
    "GeoJSON": "GEOJSON",
    "XLSX": "XLSX",
    "ODS": "ODS",
    "Parquet": "PARQUET",
    "ZIP": "ZIP",
    "PDF": "PDF",
    "PNG": "PNG",
    "JPEG": "JPEG",
    "DOCX": "DOCX",
    "ODT": "ODT",
    "HTML": "HTML",
    "XML": "XML",
}
PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
    "spdx": SPDX,
    "adms": ADMS,
    "hydra": HYDRA,
}


@dataclass(frozen=True)
class CatalogPage:
    """Which slice of the catalog a document holds (Hydra paging)."""

    number: int
    size: int
    total: int
    url: str  # this page's address without the page number

    def address(self, number: int) -> URIRef:
        separator = "&" if "?" in self.url else "?"
        return URIRef(f"{self.url}{separator}page={number}")

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _when(value: date | datetime) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.replace(microsecond=0), datatype=XSD.dateTime)
    return Literal(value, datatype=XSD.date)


def _absolute(site_url: str, path: str) -> URIRef:
    return URIRef(site_url.rstrip("/") + path)


def _term(graph: Graph, uri: str, kind: URIRef) -> URIRef:
    """A value from a vocabulary, declared with the class DCAT-AP ranges it in."""
    node = URIRef(uri)
    graph.add((node, RDF.type, kind))
    return node


def _document(graph: Graph, uri: URIRef) -> URIRef:
    graph.add((uri, RDF.type, FOAF.Document))
    return uri


def _publisher(graph: Graph, site_url: str, dataset: Dataset) -> URIRef:
    organisation = dataset.organisation
    agent = _absolute(site_url, organisation.get_absolute_url())
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(organisation.name)))
    return agent


def add_dataset(
    graph: Graph, dataset: Dataset, resources: list[Resource], *, site_url: str, language: str
) -> URIRef:
    page = _absolute(site_url, dataset.get_absolute_url())
    node = URIRef(f"{page}#dataset")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang=language)))
    graph.add(
        (node, DCTERMS.description, Literal(dataset.description or dataset.title, lang=language))
    )
    graph.add((node, DCTERMS.publisher, _publisher(graph, site_url, dataset)))
    graph.add((node, DCAT.landingPage, _document(graph, page)))
    frequency = _term(graph, f"{EU_AUTHORITY}frequency/{dataset.frequency}", DCTERMS.Frequency)
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    for theme in dataset.themes.all():
        concept = _term(graph, f"{EU_AUTHORITY}data-theme/{theme.theme}", SKOS.Concept)
        graph.add((concept, SKOS.inScheme, DATA_THEME))
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                label = str(Theme(theme.theme).label)
            graph.add((concept, SKOS.prefLabel, Literal(label, lang=code)))
        graph.add((node, DCAT.theme, concept))
    for keyword in dataset.keywords.all():
        graph.add((node, DCAT.keyword, Literal(keyword.keyword, lang=language)))
    if dataset.issued:
        graph.add((node, DCTERMS.issued, _when(dataset.issued)))
    if dataset.data_modified:
        graph.add((node, DCTERMS.modified, _when(dataset.data_modified)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, _when(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, _when(dataset.temporal_end)))
    if dataset.spatial:
        place = BNode()
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCTERMS.title, Literal(dataset.spatial)))
    if dataset.contact_name or dataset.contact_email:
        contact = BNode()
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Kind))
        graph.add((contact, VCARD.fn, Literal(dataset.contact_name or dataset.organisation.name)))
        if dataset.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    for resource in resources:
        graph.add((node, DCAT.distribution, add_distribution(graph, dataset, resource, site_url)))
    return node


def add_distribution(graph: Graph, dataset: Dataset, resource: Resource, site_url: str) -> URIRef:
    page = _absolute(site_url, resource.get_absolute_url())
    node = URIRef(f"{page}#distribution")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(resource.title)))
    if resource.description:
        graph.add((node, DCTERMS.description, Literal(resource.description)))
    if dataset.licence_link:
        licence = URIRef(dataset.licence_link)
        graph.add((node, DCTERMS.license, licence))
        graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    versions: list[ResourceVersion] = list(resource.versions.all())
    if resource.remote_url:
        graph.add((node, DCAT.accessURL, URIRef(resource.remote_url)))
    elif versions:
        latest = versions[0]
        download = _absolute(site_url, latest.get_download_url())
        graph.add((node, DCAT.accessURL, page))
        graph.add((node, DCAT.downloadURL, download))
        graph.add((node, DCAT.mediaType, _term(graph, IANA + latest.media_type, DCTERMS.MediaType)))
        graph.add((node, DCAT.byteSize, Literal(latest.size, datatype=XSD.nonNegativeInteger)))
        graph.add((node, DCTERMS.issued, _when(versions[-1].created)))
        graph.add((node, DCTERMS.modified, _when(latest.created)))
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = _term(graph, str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)
        graph.add((checksum, SPDX.algorithm, algorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(latest.sha256, datatype=XSD.hexBinary)))
    if versions and Table.objects.filter(version__resource=resource).exists():
        service = add_data_service(graph, site_url)
        graph.add((node, DCAT.accessService, service))
        served = URIRef(f"{_absolute(site_url, dataset.get_absolute_url())}#dataset")
        graph.add((service, DCAT.servesDataset, served))
    file_type = FILE_TYPES.get(resource.format) or FILE_TYPES.get(resource.format.upper())
    if file_type:
        kind = _term(graph, f"{EU_AUTHORITY}file-type/{file_type}", DCTERMS.MediaTypeOrExtent)
        graph.add((node, DCTERMS.format, kind))
    return node


def add_data_service(graph: Graph, site_url: str) -> URIRef:
    """The data API, which serves every table of the catalog (filters, aggregates, SQL)."""
    node = _absolute(site_url, "/api/v1/#data")
    if (node, RDF.type, DCAT.DataService) not in graph:
        graph.add((node, RDF.type, DCAT.DataService))
        graph.add((node, DCTERMS.title, Literal("Data API", lang="en")))
        graph.add((node, DCTERMS.title, Literal("API des données", lang="fr")))
        graph.add((node, DCAT.endpointURL, _absolute(site_url, "/api/v1/")))
        graph.add((node, DCAT.endpointDescription, _absolute(site_url, "/api/v1/openapi.json")))
    return node


def catalog_graph(
    datasets: list[tuple[Dataset, list[Resource]]],
    *,
    site_url: str,
    site_name: str,
    description: str,
    language: str,
    page: CatalogPage,
) -> Graph:
    graph = _graph()
    catalog = _absolute(site_url, "/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(site_name, lang=language)))
    graph.add((catalog, DCTERMS.description, Literal(description, lang=language)))
    graph.add((catalog, FOAF.homepage, _document(graph, _absolute(site_url, "/"))))
    taxonomy = _term(graph, str(DATA_THEME), SKOS.ConceptScheme)
    graph.add((taxonomy, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, taxonomy))
    tongue = _term(graph, f"{EU_AUTHORITY}language/{LANGUAGES[language]}", DCTERMS.LinguisticSystem)
    graph.add((tongue, SKOS.inScheme, URIRef(f"{EU_AUTHORITY}language")))
    graph.add((catalog, DCTERMS.language, tongue))
    publisher = _absolute(site_url, "/")
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(site_name)))
    for dataset, resources in datasets:
        node = add_dataset(graph, dataset, resources, site_url=site_url, language=language)
        graph.add((catalog, DCAT.dataset, node))
    service = _absolute(site_url, "/api/v1/#data")
    if (service, RDF.type, DCAT.DataService) in graph:
        graph.add((catalog, DCAT.service, service))
    view = page.address(page.number)
    graph.add((catalog, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((catalog, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, page.address(1)))
    graph.add((view, HYDRA.last, page.address(page.last)))
    if page.number > 1:
        graph.add((view, HYDRA.previous, page.address(page.number - 1)))
    if page.number < page.last:
        graph.add((view, HYDRA.next, page.address(page.number + 1)))
    return graph


def dataset_graph(
    dataset: Dataset, resources: list[Resource], *, site_url: str, language: str
) -> Graph:
    graph = _graph()
    add_dataset(graph, dataset, resources, site_url=site_url, language=language)
    return graph


# Serialisations, by the name used in addresses (catalog.ttl) and by media type.
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
MEDIA_TYPES = {media_type: name for name, (_rdflib, media_type) in FORMATS.items()}


def serialise(graph: Graph, name: str) -> bytes:
    rdflib_name, _media_type = FORMATS[name]
    return graph.serialize(format=rdflib_name, encoding="utf-8")
