"""The catalog's models, by subject."""

from agora.catalog.models.community import Discussion, DiscussionMessage, Reuse
from agora.catalog.models.datasets import (
    Dataset,
    DatasetKeyword,
    DatasetTheme,
    DatasetUsage,
    Resource,
    ResourceVersion,
    version_path,
)
from agora.catalog.models.harvest import HarvestJob, HarvestRecord, HarvestSource
from agora.catalog.models.requests import DataRequest, DataRequestComment, DataRequestVote
from agora.catalog.models.tables import ConfirmedSchema, Ingestion, Table, table_path

__all__ = [
    "ConfirmedSchema",
    "DataRequest",
    "DataRequestComment",
    "DataRequestVote",
    "Dataset",
    "DatasetKeyword",
    "DatasetTheme",
    "DatasetUsage",
    "Discussion",
    "DiscussionMessage",
    "HarvestJob",
    "HarvestRecord",
    "HarvestSource",
    "Ingestion",
    "Resource",
    "ResourceVersion",
    "Reuse",
    "Table",
    "table_path",
    "version_path",
]
