"""Regional offer catalogue for Leerwijzer: models, importers, region gazetteer and search.

The package is a standalone library. Callers open one session per request through
`offer_catalogue.database.make_session_factory`; nothing here keeps a global session.
"""

from offer_catalogue.region import MUNICIPALITIES, PlaceMatch, resolve_place
from offer_catalogue.search import (
    Reason,
    SearchQuery,
    SearchResult,
    find_scheme,
    format_price,
    format_reasons,
    search_offers,
)

__all__ = [
    "MUNICIPALITIES",
    "PlaceMatch",
    "Reason",
    "SearchQuery",
    "SearchResult",
    "find_scheme",
    "format_price",
    "format_reasons",
    "resolve_place",
    "search_offers",
]
