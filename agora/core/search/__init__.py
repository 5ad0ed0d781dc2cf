"""Site-wide search: one service that every module registers its public content with.

A module describes its content as `SearchDocument`s through a `SearchProvider`, calls
`search_index()` / `search_remove()` from its services when content changes, and
`search_rebuild()` re-reads everything. Visibility is the provider's job: only public
content is ever indexed.
"""

from agora.core.search.registry import SearchDocument, SearchProvider, providers, register
from agora.core.search.selectors import SearchHit, SearchPage, search
from agora.core.search.services import search_index, search_rebuild, search_remove

__all__ = [
    "SearchDocument",
    "SearchHit",
    "SearchPage",
    "SearchProvider",
    "providers",
    "register",
    "search",
    "search_index",
    "search_rebuild",
    "search_remove",
]
