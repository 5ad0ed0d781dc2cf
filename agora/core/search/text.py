"""Text to search terms: accents folded, French and English stems, stop words dropped.

Stemming happens here, not in the database, so that SQLite and PostgreSQL index exactly
the same terms and rank the same way; each word is indexed under both its French and its
English stem because content on the platform is written in either language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY_TERMS = 16

# Words too common to narrow a search, in both languages (accents already folded).
STOP_WORDS = frozenset(
    """
    a an and are as at be but by for from has have in into is it its of on or that the
    their there they this to was were will with
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui mais me
    meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
    te tes toi ton tu un une vos votre vous d l s c j n m t y est sont
    """.split()
)

_french = snowballstemmer.stemmer("french")
_english = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    fr = _french.stemWord(word)
    en = _english.stemWord(word)
    return (fr,) if fr == en else (fr, en)


def index_terms(text: str) -> str:
    return " ".join(stem for word in words(text) for stem in stems(word))


def query_terms(query: str) -> list[tuple[str, ...]]:
    """The query as groups of alternative stems; every group must match."""
    found = words(query)
    meaningful = [w for w in found if w not in STOP_WORDS] or found
    unique = list(dict.fromkeys(meaningful))[:MAX_QUERY_TERMS]
    return [stems(w) for w in unique]
