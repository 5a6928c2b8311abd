"""Related experiments: French text similarity combined with shared publics, territories,
partners and themes, answered from an index built once.

Pure module (no Django): documents in, ranked suggestions with their reason out.

How a score is made. Each experiment becomes one sparse row, the concatenation of blocks:

* its text (title, problem as stated, problem reframed) as a TF-IDF vector of French stems:
  lower case, accents folded, French stop words removed, Snowball French stemming (with a
  plural ``-s``/``-x`` tried first, so "emplois" and "emploi" meet);
* one block per facet (publics, territories, partners, themes): its values one-hot,
  weighted by their rarity (a partner shared by two experiments says more than the region
  every experiment shares).

Every block is scaled to unit length, then by the square root of its weight, so the dot
product of two rows is the weighted sum of the cosines of their blocks: one sparse product
against the precomputed matrix scores a query against every experiment, and
``argpartition`` keeps the best ones. Ties are broken by the smaller key, so the ranking is
deterministic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from stop_words import get_stop_words

TEXT = "text"
FACETS = ("publics", "territories", "partners", "themes")

# Relative weights of the blocks (they need not sum to 1). Tuned on the labelled set in
# kenlabour/lab/tests/data/interconnections.json: the problem's words lead, shared
# publics and partners confirm, territories and themes only separate close calls.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    TEXT: 0.55,
    "publics": 0.2,
    "territories": 0.08,
    "partners": 0.12,
    "themes": 0.05,
}

# How a reason is said, per block: (one shared value, several shared values).
FRENCH_PHRASES: Mapping[str, tuple[str, str]] = {
    "publics": ("public commun", "publics communs"),
    "territories": ("territoire commun", "territoires communs"),
    "partners": ("partenaire commun", "partenaires communs"),
    "themes": ("thème commun", "thèmes communs"),
    TEXT: ("problème proche", "problèmes proches"),
}

_WORD = re.compile(r"[a-z0-9]+")
_MIN_TOKEN = 3
_TERMS_IN_REASON = 3


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Mobilité Œuvre" -> "mobilite oeuvre"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(fold(word) for word in get_stop_words("french"))


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball French stem of a folded word; a final plural -s/-x is tried off too,
    and the shorter stem wins ("emplois" -> "emploi", "mobilites" -> "mobilit")."""
    stemmer = _stemmer()
    stemmed = stemmer.stemWord(word)
    if len(word) > _MIN_TOKEN and word[-1] in "sx":
        singular = stemmer.stemWord(word[:-1])
        if len(singular) < len(stemmed):
            return singular
    return stemmed


def words(text: str) -> list[tuple[str, str]]:
    """(stem, surface word) for each meaningful word of a French text, in order: accents
    folded for matching, stop words, digits and words shorter than 3 letters left out.
    The surface is the word as written (lower case), to be shown in a reason."""
    stops = _stop_words()
    lowered = text.lower()
    folded = fold(lowered)
    # Folding keeps one character per character for Latin text, except ligatures: map
    # back to the written word only when lengths agree.
    aligned = len(folded) == len(lowered)
    result = []
    for match in _WORD.finditer(folded):
        token = match.group()
        if len(token) < _MIN_TOKEN or token.isdigit() or token in stops:
            continue
        surface = lowered[match.start() : match.end()] if aligned else token
        result.append((stem(token), surface))
    return result


def analyse(text: str) -> list[str]:
    """The stems of a French text, as the TF-IDF vectoriser counts them."""
    return [stemmed for stemmed, _surface in words(text)]


@dataclass(frozen=True)
class Document:
    """One experiment as the similarity sees it. Facet values are labels as shown to
    people ("Finistère", "Jeunes de 16 à 25 ans"): equal labels are the same value."""

    key: int
    text: str
    publics: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()
    partners: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()

    def facet(self, name: str) -> frozenset[str]:
        return getattr(self, name)


@dataclass(frozen=True)
class Suggestion:
    key: int
    score: float
    shared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, shared labels), in FACETS order
    terms: tuple[str, ...] = field(default=())  # close words of the problems, best first

    def reason(self, phrases: Mapping[str, tuple[str, str]] = FRENCH_PHRASES) -> str:
        """The reason in words: "Publics communs : jeunes ; territoire commun : Finistère ;
        problèmes proches : « mobilité », « permis »"."""
        parts = []
        for facet, labels in self.shared:
            one, several = phrases[facet]
            parts.append(f"{one if len(labels) == 1 else several} : {', '.join(labels)}")
        if self.terms:
            one, several = phrases[TEXT]
            quoted = ", ".join(f"« {term} »" for term in self.terms)
            parts.append(f"{one if len(self.terms) == 1 else several} : {quoted}")
        sentence = " ; ".join(parts)
        return sentence[:1].upper() + sentence[1:]


def _facet_matrix(values: Sequence[frozenset[str]]) -> tuple[sp.csr_matrix, dict[str, int]]:
    """One-hot rows weighted by smooth inverse document frequency, unit length."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, labels in enumerate(values):
        for label in sorted(labels):
            rows.append(row)
            cols.append(vocabulary.setdefault(label, len(vocabulary)))
    n = len(values)
    matrix = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n, max(len(vocabulary), 1)), dtype=np.float64
    )
    df = np.bincount(cols, minlength=matrix.shape[1]) if cols else np.zeros(matrix.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1
    return normalize(matrix @ sp.diags(idf), norm="l2"), vocabulary


def normalize(matrix, norm: str = "l2") -> sp.csr_matrix:
    """Each row scaled to unit Euclidean length (an empty row stays empty)."""
    if norm != "l2":
        raise ValueError(norm)
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1 / norms) @ matrix)


class _TfidfVectoriser:
    """TF-IDF of French stems, as scikit-learn's TfidfVectorizer(analyzer=analyse,
    sublinear_tf=True, norm="l2") computes it: tf = 1 + ln(count), smooth idf =
    ln((1 + n) / (1 + df)) + 1, rows of unit length, columns in the stems' sorted order.
    Written here on numpy and scipy: importing scikit-learn took 2 to 6 seconds, paid by the
    first experiment page a process served (what made saving an experiment feel slow)."""

    def __init__(self):
        self.vocabulary_: dict[str, int] = {}

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counted = []
        for text in texts:
            counts: dict[str, int] = {}
            for stem in analyse(text):
                counts[stem] = counts.get(stem, 0) + 1
            counted.append(counts)
        stems = sorted({stem for counts in counted for stem in counts})
        self.vocabulary_ = {stem: column for column, stem in enumerate(stems)}
        rows, cols, values = [], [], []
        for row, counts in enumerate(counted):
            for stem, count in counts.items():
                rows.append(row)
                cols.append(self.vocabulary_[stem])
                values.append(1.0 + math.log(count))
        n = len(counted)
        matrix = sp.csr_matrix(
            (np.array(values, dtype=np.float64), (rows, cols)), shape=(n, len(stems))
        )
        df = np.bincount(cols, minlength=len(stems)) if cols else np.zeros(len(stems))
        idf = np.log((1 + n) / (1 + df)) + 1
        return normalize(matrix @ sp.diags(idf))


def _vectoriser() -> _TfidfVectoriser:
    return _TfidfVectoriser()


class SimilarityIndex:
    """Every experiment's row, built once; `related(key)` answers one experiment."""

    def __init__(
        self, documents: Iterable[Document], weights: Mapping[str, float] = DEFAULT_WEIGHTS
    ):
        self.documents: list[Document] = sorted(documents, key=lambda d: d.key)
        self.keys = np.array([d.key for d in self.documents], dtype=np.int64)
        self._row = {d.key: i for i, d in enumerate(self.documents)}
        if len(self._row) != len(self.documents):
            raise ValueError("Document keys must be unique.")
        self.weights = dict(weights)
        blocks = []
        self._text_columns = 0
        if self.documents:
            vectoriser = _vectoriser()
            text = vectoriser.fit_transform([d.text for d in self.documents])
            self._stem_column = vectoriser.vocabulary_
            self._text_columns = text.shape[1]
            blocks.append(math.sqrt(self.weights[TEXT]) * text)
            for facet in FACETS:
                matrix, _vocabulary = _facet_matrix([d.facet(facet) for d in self.documents])
                blocks.append(math.sqrt(self.weights[facet]) * matrix)
            self.matrix = sp.hstack(blocks, format="csr")
            # Features x documents: a query row times this is one row of scores.
            self._by_feature = self.matrix.T.tocsr()
        else:
            self._stem_column = {}
            self.matrix = sp.csr_matrix((0, 0))
            self._by_feature = sp.csr_matrix((0, 0))

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, key: int) -> bool:
        return key in self._row

    def row_of(self, key: int) -> int:
        return self._row[key]

    def scores(self, key: int) -> np.ndarray:
        """The score of every document against `key`'s (its own included), index order."""
        query = self.matrix[self._row[key]]
        return np.asarray((query @ self._by_feature).todense()).ravel()

    def related(
        self,
        key: int,
        k: int = 5,
        *,
        exclude: Iterable[int] = (),
        eligible: np.ndarray | None = None,
    ) -> list[Suggestion]:
        """The `k` documents closest to `key`, best first, each with its reason. `exclude`
        names keys never to suggest; `eligible`, a boolean mask in index order (see
        `keys`), keeps only the documents the asker may see. Only documents sharing
        something with the query are suggested."""
        if key not in self._row or k <= 0:
            return []
        scores = self.scores(key)
        ranked = _top(scores, self.keys, self._mask(key, exclude, eligible), k)
        query = self.documents[self._row[key]]
        return [self._suggestion(query, row, float(scores[row])) for row in ranked]

    def _mask(self, key, exclude, eligible) -> np.ndarray:
        mask = np.ones(len(self.documents), dtype=bool) if eligible is None else eligible.copy()
        mask[self._row[key]] = False
        for other in exclude:
            row = self._row.get(other)
            if row is not None:
                mask[row] = False
        return mask

    def _suggestion(self, query: Document, row: int, score: float) -> Suggestion:
        other = self.documents[row]
        shared = tuple(
            (facet, tuple(sorted(query.facet(facet) & other.facet(facet), key=fold)))
            for facet in FACETS
            if query.facet(facet) & other.facet(facet)
        )
        return Suggestion(
            key=other.key, score=round(score, 6), shared=shared, terms=self._terms(query, row)
        )

    def _terms(self, query: Document, row: int) -> tuple[str, ...]:
        """The words of the query's problem that weigh most in its closeness to `row`."""
        q_row = self.matrix[self._row[query.key]]
        o_row = self.matrix[row]
        mine = dict(zip(q_row.indices, q_row.data, strict=True))
        contributions = {
            column: value * mine[column]
            for column, value in zip(o_row.indices, o_row.data, strict=True)
            if column < self._text_columns and column in mine
        }
        surfaces: dict[str, str] = {}
        for stemmed, surface in words(query.text):
            surfaces.setdefault(stemmed, surface)
        columns_to_stem = {self._stem_column[s]: s for s in surfaces if s in self._stem_column}
        best = sorted(contributions, key=lambda c: (-contributions[c], columns_to_stem.get(c, "")))
        return tuple(
            surfaces[columns_to_stem[c]] for c in best[:_TERMS_IN_REASON] if c in columns_to_stem
        )


def _top(scores: np.ndarray, keys: np.ndarray, mask: np.ndarray, k: int) -> list[int]:
    """Rows of the `k` best positive scores among `mask`, best first, ties by smaller key."""
    scores = np.where(mask, np.round(scores, 9), 0.0)
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        best = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        threshold = scores[best].min()
        candidates = candidates[scores[candidates] >= threshold]
    order = np.lexsort((keys[candidates], -scores[candidates]))
    return [int(row) for row in candidates[order][:k]]


def brute_force_related(
    documents: Sequence[Document],
    key: int,
    k: int = 5,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> list[Suggestion]:
    """The same answer without a precomputed index: every document is analysed and
    vectorised again for this one query (what answering on the fly would cost)."""
    return SimilarityIndex(documents, weights).related(key, k)


def recall_at_k(
    index: SimilarityIndex, pairs: Iterable[tuple[int, int]], k: int = 5
) -> tuple[float, int, int]:
    """Directional recall@k of known related pairs: each pair (a, b) counts twice, once
    for "b is in a's top k" and once for "a is in b's top k". Returns (recall, hits,
    directions)."""
    tops: dict[int, set[int]] = {}
    hits = directions = 0
    for a, b in pairs:
        for source, target in ((a, b), (b, a)):
            if source not in tops:
                tops[source] = {s.key for s in index.related(source, k)}
            directions += 1
            hits += target in tops[source]
    return (hits / directions if directions else 1.0), hits, directions
