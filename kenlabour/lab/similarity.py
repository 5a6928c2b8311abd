"""Related experiments: French text similarity (words and meaning) combined with shared
publics, territories, partners and themes, answered from an index built once.

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

Meaning. Words alone miss two experiments that speak of the same people or problem in other
words ("gramounes" and "seniors", "sans médecin traitant" and "désert médical"). So each
experiment also gets one dense meaning vector: its text, publics and themes are lemmatised
by spaCy's French model ``fr_core_news_md`` (an installed package, loaded lazily once per
process), and the word vectors of its content lemmas (nouns, proper nouns, adjectives,
verbs) are averaged with TF-IDF weights; the background every French administrative text
shares (the corpus' mean vector, shrunk towards the mean of generic public-action words for
small corpora) is taken off, and the cosine of two such vectors, floored at 0, is the
meaning score. The final score is ``(1 - MEANING_WEIGHT) × words-and-facets score +
MEANING_WEIGHT × meaning score``; one dense product (n × 300, float32) is added per query.

Threshold. A suggestion is shown only when its score reaches ``DEFAULT_THRESHOLD``: an
experiment that nothing is close to gets no suggestion instead of five weak ones. The
threshold is calibrated on the tuning set only (see ``calibrate_threshold``).

Lemmas and word vectors are plain values a caller may compute once and keep (the Django
side caches them by content hash): the index then needs no spaCy at all.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from stop_words import get_stop_words

TEXT = "text"
MEANING = "meaning"
FACETS = ("publics", "territories", "partners", "themes")

SPACY_MODEL = "fr_core_news_md"
# Share of the meaning score in the final score. Chosen on the tuning set only
# (kenlabour/lab/tests/data/interconnections.json): 0.3 to 0.5 keep its recall@5 at 0.94 to
# 0.96; 0.4 is the middle of that plateau.
MEANING_WEIGHT = 0.4
# The least score a suggestion needs to be shown. Calibrated on the tuning set only, with
# `calibrate_threshold(index, pairs)`: the highest threshold (0.01 steps) at which the
# set's recall@5 stays within 0.02 of its recall without threshold. Recomputed by
# kenlabour/lab/tests/test_similarity.py; the unseen set never took part.
DEFAULT_THRESHOLD = 0.17

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
    MEANING: ("sens proche", "sens proche"),
}
# How a pair of close words is said in a reason: "« retraité » et « senior »".
FRENCH_WORD_PAIR = "« {0} » et « {1} »"

_WORD = re.compile(r"[a-z0-9]+")
_MIN_TOKEN = 3
_TERMS_IN_REASON = 3
_PAIRS_IN_REASON = 2
# Two words are "close in meaning" in a reason when their vectors' cosine reaches this.
_CLOSE_WORDS = 0.6
# Two words whose first letters agree this far are one word in a reason ("travail",
# "travailler"), not two words close in meaning.
_SAME_PREFIX = 6
_CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
# Words every experiment of a public-innovation lab uses: their mean vector is the
# background taken off the meaning vectors when the corpus is too small to estimate it.
GENERIC_WORDS = (
    "habitant",
    "public",
    "service",
    "commune",
    "accompagner",
    "dispositif",
    "accès",
    "aide",
    "territoire",
    "démarche",
    "personne",
    "besoin",
    "solution",
    "permettre",
    "organiser",
    "proposer",
    "difficulté",
    "projet",
    "agent",
    "structure",
    "accompagnement",
    "usager",
    "social",
    "local",
    "famille",
    "temps",
    "trouver",
    "faire",
)
# Weight, in documents, of that generic background against the corpus' own mean.
_BACKGROUND_PRIOR = 20


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


@lru_cache(maxsize=1024)
def _surfaces(text: str) -> dict[str, str]:
    """Each stem of a text with the first word written for it (reasons of one query)."""
    surfaces: dict[str, str] = {}
    for stemmed, surface in words(text):
        surfaces.setdefault(stemmed, surface)
    return surfaces


@lru_cache(maxsize=200_000)
def _folded_stem(word: str) -> str:
    return stem(fold(word))


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
    # Content lemmas of `meaning_text(self)`, as `content_lemmas` gives them; None: the index
    # lemmatises the document itself (loading spaCy).
    lemmas: tuple[str, ...] | None = None
    # Those of its lemmas spaCy tagged as verbs (`content_verbs`): they count in the meaning,
    # but a reason names nouns and adjectives only ("déclarer" and "abandonner" are close
    # vectors, and no reason to link two experiments).
    verbs: frozenset[str] = frozenset()

    def facet(self, name: str) -> frozenset[str]:
        return getattr(self, name)


def meaning_text(document: Document) -> str:
    """What the meaning vector reads: the text, then the publics and themes as words."""
    labels = sorted(document.publics) + sorted(document.themes)
    return " . ".join([document.text, *labels])


def content_hash(text: str) -> str:
    """The key under which a text's lemmas may be kept (sha256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def _nlp():
    """spaCy's French pipeline, loaded once per process, without the parser and the named
    entities (not needed for lemmas: 3 to 6 s to load, about 1 ms per experiment)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["parser", "ner"])


_LEMMA_CACHE: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
_LEMMA_CACHE_SIZE = 200_000


def content_lemmas(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """The content lemmas (nouns, proper nouns, adjectives, verbs; lower case, stop words
    and words shorter than 3 letters left out) of each text, in order. Each distinct text
    is lemmatised once per process."""
    return [lemmas for lemmas, _verbs in _analysed(texts)]


def content_verbs(texts: Sequence[str]) -> list[frozenset[str]]:
    """Those of each text's content lemmas that spaCy tagged as verbs."""
    return [verbs for _lemmas, verbs in _analysed(texts)]


def _analysed(texts: Sequence[str]) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    keys = [content_hash(text) for text in texts]
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in _LEMMA_CACHE}
    if missing:
        if len(_LEMMA_CACHE) + len(missing) > _LEMMA_CACHE_SIZE:
            _LEMMA_CACHE.clear()
        stops = _stop_words()
        for key, doc in zip(missing, _nlp().pipe(missing.values(), batch_size=64), strict=True):
            kept = [
                (lemma, token.pos_ == "VERB")
                for token in doc
                if token.pos_ in _CONTENT_POS and token.is_alpha and not token.is_stop
                for lemma in (token.lemma_.lower(),)
                if len(lemma) >= _MIN_TOKEN and fold(lemma) not in stops
            ]
            _LEMMA_CACHE[key] = (
                tuple(lemma for lemma, _verb in kept),
                frozenset(lemma for lemma, verb in kept if verb),
            )
    return [_LEMMA_CACHE[key] for key in keys]


def word_vectors(words: Iterable[str]) -> dict[str, np.ndarray]:
    """Unit word vectors (300 float32) of the words the model knows (as written, then in
    capitals or capitalised: "neet" is known as "NEET"); unknown words are left out."""
    vocab = _nlp().vocab
    found = {}
    for word in words:
        for form in (word, word.upper(), word.capitalize()):
            if vocab.has_vector(form):
                vector = np.asarray(vocab.get_vector(form), dtype=np.float32)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    found[word] = vector / norm
                break
    return found


@dataclass(frozen=True)
class Suggestion:
    key: int
    score: float
    shared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, shared labels), in FACETS order
    terms: tuple[str, ...] = field(default=())  # close words of the problems, best first
    # Pairs of different words close in meaning (the query's, the other's), best first.
    close_words: tuple[tuple[str, str], ...] = field(default=())

    def reason(
        self,
        phrases: Mapping[str, tuple[str, str]] = FRENCH_PHRASES,
        word_pair: str = FRENCH_WORD_PAIR,
    ) -> str:
        """The reason in words: "Publics communs : jeunes ; territoire commun : Finistère ;
        problèmes proches : « mobilité », « permis » ; sens proche : « retraité » et
        « senior »"."""
        parts = []
        for facet, labels in self.shared:
            one, several = phrases[facet]
            parts.append(f"{one if len(labels) == 1 else several} : {', '.join(labels)}")
        if self.terms:
            one, several = phrases[TEXT]
            quoted = ", ".join(f"« {term} »" for term in self.terms)
            parts.append(f"{one if len(self.terms) == 1 else several} : {quoted}")
        if self.close_words:
            one, several = phrases[MEANING]
            said = ", ".join(word_pair.format(a, b) for a, b in self.close_words)
            parts.append(f"{one if len(self.close_words) == 1 else several} : {said}")
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


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class _Meaning:
    """The meaning vectors of a corpus: TF-IDF-weighted means of unit lemma vectors, the
    shared background taken off, unit length, float32 (one row per document)."""

    def __init__(self, lemmas: Sequence[tuple[str, ...]], vectors: Mapping[str, np.ndarray]):
        known = sorted({lemma for row in lemmas for lemma in row if lemma in vectors})
        self.lemmas = known
        self.column = {lemma: i for i, lemma in enumerate(known)}
        self.words = (
            np.array([vectors[lemma] for lemma in known], dtype=np.float32)
            if known
            else np.zeros((0, 300), dtype=np.float32)
        )
        n = len(lemmas)
        rows, cols, values = [], [], []
        for row, document_lemmas in enumerate(lemmas):
            counts: dict[int, int] = {}
            for lemma in document_lemmas:
                column = self.column.get(lemma)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            for column, count in counts.items():
                rows.append(row)
                cols.append(column)
                values.append(1.0 + math.log(count))
        weights = sp.csr_matrix((values, (rows, cols)), shape=(n, len(known)), dtype=np.float64)
        df = np.bincount(cols, minlength=len(known)) if cols else np.zeros(len(known))
        idf = np.log((1 + n) / (1 + df)) + 1
        self.weights = sp.csr_matrix(weights @ sp.diags(idf))  # documents x lemmas
        dense = _unit_rows(np.asarray(self.weights @ self.words.astype(np.float64)))
        present = np.linalg.norm(dense, axis=1) > 0
        generic = [vectors[word] for word in GENERIC_WORDS if word in vectors]
        generic = np.array(generic or [np.zeros(300)])
        generic = generic.mean(axis=0)
        if present.any():
            mean = dense[present].mean(axis=0)
            # The generic background, at the length the corpus' own background has, weighs
            # as _BACKGROUND_PRIOR documents: a corpus of three is not its own background.
            prior = generic / (np.linalg.norm(generic) or 1.0) * np.linalg.norm(mean)
            count = int(present.sum())
            background = (count * mean + _BACKGROUND_PRIOR * prior) / (count + _BACKGROUND_PRIOR)
        else:
            background = np.zeros(dense.shape[1])
        centred = np.where(present[:, None], dense - background, 0.0)
        self.vectors = _unit_rows(centred).astype(np.float32)

    def scores(self, row: int) -> np.ndarray:
        return np.maximum(self.vectors @ self.vectors[row], 0.0).astype(np.float64)

    def close_words(
        self, a: int, b: int, unsaid: Callable[[str, str], bool]
    ) -> list[tuple[str, str]]:
        """Pairs of different words of `a` and `b` whose vectors are close, the pairs that
        weigh most first, each word used once."""
        w = self.weights
        ia, da = w.indices[w.indptr[a] : w.indptr[a + 1]], w.data[w.indptr[a] : w.indptr[a + 1]]
        ib, db = w.indices[w.indptr[b] : w.indptr[b + 1]], w.data[w.indptr[b] : w.indptr[b + 1]]
        if not len(ia) or not len(ib):
            return []
        cosines = self.words[ia] @ self.words[ib].T
        weight = np.outer(da, db) * cosines
        close_i, close_j = np.nonzero(cosines >= _CLOSE_WORDS)
        lemmas = self.lemmas
        ranked = sorted(
            (-weight[i, j], lemmas[ia[i]], lemmas[ib[j]])
            for i, j in zip(close_i.tolist(), close_j.tolist(), strict=True)
        )
        pairs, used = [], set()
        for _weight, x, y in ranked:
            if x in used or y in used or unsaid(x, y):
                continue
            pairs.append((x, y))
            used.update((x, y))
            if len(pairs) == _PAIRS_IN_REASON:
                break
        return pairs


class SimilarityIndex:
    """Every experiment's row, built once; `related(key)` answers one experiment.

    `vectors` maps lemmas (and GENERIC_WORDS) to unit word vectors (see `word_vectors`);
    words it lacks are looked up in spaCy's model, as documents without `lemmas` are
    lemmatised by it: given everything, the index never loads spaCy."""

    def __init__(
        self,
        documents: Iterable[Document],
        weights: Mapping[str, float] = DEFAULT_WEIGHTS,
        *,
        vectors: Mapping[str, np.ndarray] | None = None,
        meaning_weight: float = MEANING_WEIGHT,
        threshold: float = DEFAULT_THRESHOLD,
    ):
        self.documents: list[Document] = sorted(documents, key=lambda d: d.key)
        self.keys = np.array([d.key for d in self.documents], dtype=np.int64)
        self._row = {d.key: i for i, d in enumerate(self.documents)}
        if len(self._row) != len(self.documents):
            raise ValueError("Document keys must be unique.")
        self.weights = dict(weights)
        self.meaning_weight = meaning_weight
        self.threshold = threshold
        blocks = []
        self._text_columns = 0
        self._meaning = None
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
            if meaning_weight > 0:
                self._meaning = _Meaning(*self._lemmas_and_vectors(vectors))
        else:
            self._stem_column = {}
            self.matrix = sp.csr_matrix((0, 0))
            self._by_feature = sp.csr_matrix((0, 0))

    def _lemmas_and_vectors(self, vectors):
        missing = [d for d in self.documents if d.lemmas is None]
        computed = dict(
            zip(
                (d.key for d in missing), _analysed([meaning_text(d) for d in missing]), strict=True
            )
        )
        lemmas = [d.lemmas if d.lemmas is not None else computed[d.key][0] for d in self.documents]
        self._verbs = [
            d.verbs if d.lemmas is not None else computed[d.key][1] for d in self.documents
        ]
        known = dict(vectors or {})
        unknown = ({lemma for row in lemmas for lemma in row} | set(GENERIC_WORDS)) - known.keys()
        if unknown:
            known.update(word_vectors(sorted(unknown)))
        return lemmas, known

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, key: int) -> bool:
        return key in self._row

    def row_of(self, key: int) -> int:
        return self._row[key]

    def scores(self, key: int) -> np.ndarray:
        """The score of every document against `key`'s (its own included), index order:
        (1 - meaning weight) × words and facets + meaning weight × meaning."""
        row = self._row[key]
        query = self.matrix[row]
        lexical = np.asarray((query @ self._by_feature).todense()).ravel()
        if self._meaning is None:
            return lexical
        return (1 - self.meaning_weight) * lexical + self.meaning_weight * self._meaning.scores(row)

    def related(
        self,
        key: int,
        k: int = 5,
        *,
        exclude: Iterable[int] = (),
        eligible: np.ndarray | None = None,
        threshold: float | None = None,
    ) -> list[Suggestion]:
        """The `k` documents closest to `key`, best first, each with its reason. `exclude`
        names keys never to suggest; `eligible`, a boolean mask in index order (see
        `keys`), keeps only the documents the asker may see. Only documents whose score
        reaches `threshold` (the index's by default) are suggested: none may be."""
        if key not in self._row or k <= 0:
            return []
        scores = self.scores(key)
        floor = self.threshold if threshold is None else threshold
        ranked = _top(scores, self.keys, self._mask(key, exclude, eligible), k, floor)
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
        terms = self._terms(query, row)
        close = ()
        if self._meaning is not None:
            said = {_folded_stem(term) for term in terms}
            for labels in (labels for _facet, labels in shared):
                said.update(stemmed for label in labels for stemmed in analyse(label))

            verbs = self._verbs[self._row[query.key]] | self._verbs[row]

            def unsaid(a: str, b: str) -> bool:
                """A verb, one word in two forms ("travail", "travailler"), or already said."""
                sa, sb = _folded_stem(a), _folded_stem(b)
                one_word = sa == sb or fold(a)[:_SAME_PREFIX] == fold(b)[:_SAME_PREFIX]
                return one_word or a in verbs or b in verbs or sa in said or sb in said

            close = tuple(self._meaning.close_words(self._row[query.key], row, unsaid))
        return Suggestion(
            key=other.key, score=round(score, 6), shared=shared, terms=terms, close_words=close
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
        surfaces = _surfaces(query.text)
        columns_to_stem = {self._stem_column[s]: s for s in surfaces if s in self._stem_column}
        best = sorted(contributions, key=lambda c: (-contributions[c], columns_to_stem.get(c, "")))
        return tuple(
            surfaces[columns_to_stem[c]] for c in best[:_TERMS_IN_REASON] if c in columns_to_stem
        )


def _top(
    scores: np.ndarray, keys: np.ndarray, mask: np.ndarray, k: int, floor: float = 0.0
) -> list[int]:
    """Rows of the `k` best positive scores reaching `floor` among `mask`, best first, ties
    by smaller key."""
    scores = np.where(mask, np.round(scores, 9), 0.0)
    candidates = np.flatnonzero((scores > 0) & (scores >= floor))
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
    *,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[Suggestion]:
    """The same answer without a precomputed index: every document is analysed and
    vectorised again for this one query (what answering on the fly would cost)."""
    return SimilarityIndex(documents, weights, vectors=vectors).related(key, k)


def recall_at_k(
    index: SimilarityIndex,
    pairs: Iterable[tuple[int, int]],
    k: int = 5,
    *,
    threshold: float | None = None,
) -> tuple[float, int, int]:
    """Directional recall@k of known related pairs: each pair (a, b) counts twice, once
    for "b is in a's top k" and once for "a is in b's top k" (suggestions under the
    threshold are not shown, so they do not count). Returns (recall, hits, directions)."""
    tops: dict[int, set[int]] = {}
    hits = directions = 0
    for a, b in pairs:
        for source, target in ((a, b), (b, a)):
            if source not in tops:
                tops[source] = {s.key for s in index.related(source, k, threshold=threshold)}
            directions += 1
            hits += target in tops[source]
    return (hits / directions if directions else 1.0), hits, directions


@dataclass(frozen=True)
class Evaluation:
    """Quality of the suggestions on one labelled set.

    * ``recall``: directional recall@k, both directions of every pair; ``forward`` counts
      "b in a's top k" for each listed pair (a, b), ``backward`` "a in b's top k".
    * ``precision_controls``: share of the controls (experiments nothing else in the set is
      about) that get no suggestion at all; every suggestion a control gets is unrelated.
    * ``precision_shown``: among the suggestions shown to the experiments that have related
      ones, the share that are labelled related.
    """

    k: int
    directions: int
    hits: int
    forward: float
    backward: float
    controls: int
    controls_without_suggestion: int
    shown: int
    shown_related: int

    @property
    def recall(self) -> float:
        return self.hits / self.directions if self.directions else 1.0

    @property
    def precision_controls(self) -> float:
        return self.controls_without_suggestion / self.controls if self.controls else 1.0

    @property
    def precision_shown(self) -> float:
        return self.shown_related / self.shown if self.shown else 1.0


def evaluate(
    index: SimilarityIndex,
    pairs: Sequence[tuple[int, int]],
    controls: Sequence[int] = (),
    k: int = 5,
    *,
    threshold: float | None = None,
) -> Evaluation:
    """Recall per direction, precision on controls and on what is shown (see
    `Evaluation`), suggestions as a page shows them (top k reaching the threshold)."""
    related: dict[int, set[int]] = {}
    for a, b in pairs:
        related.setdefault(a, set()).add(b)
        related.setdefault(b, set()).add(a)
    tops = {
        key: {s.key for s in index.related(key, k, threshold=threshold)}
        for key in sorted(set(related) | set(controls))
    }
    forward = sum(b in tops[a] for a, b in pairs)
    backward = sum(a in tops[b] for a, b in pairs)
    return Evaluation(
        k=k,
        directions=2 * len(pairs),
        hits=forward + backward,
        forward=forward / len(pairs) if pairs else 1.0,
        backward=backward / len(pairs) if pairs else 1.0,
        controls=len(controls),
        controls_without_suggestion=sum(not tops[c] for c in controls),
        shown=sum(len(tops[key]) for key in related),
        shown_related=sum(len(tops[key] & others) for key, others in related.items()),
    )


def calibrate_threshold(
    index: SimilarityIndex,
    pairs: Sequence[tuple[int, int]],
    k: int = 5,
    *,
    tolerance: float = 0.02,
    step: float = 0.01,
) -> float:
    """The threshold DEFAULT_THRESHOLD comes from, on the tuning set only: the highest
    multiple of `step` at which recall@k stays within `tolerance` of the recall without
    any threshold. Above it, related experiments of the tuning set start to lose their
    suggestion; below it, weaker and weaker matches are shown to experiments nothing is
    close to."""
    tops: dict[int, list[tuple[int, float]]] = {}
    for a, b in pairs:
        for source in (a, b):
            if source not in tops:
                tops[source] = [(s.key, s.score) for s in index.related(source, k, threshold=0)]

    def recall(threshold: float) -> float:
        hits = sum(
            any(key == target and score >= threshold for key, score in tops[source])
            for a, b in pairs
            for source, target in ((a, b), (b, a))
        )
        return hits / (2 * len(pairs)) if pairs else 1.0

    floor = recall(0.0) - tolerance
    best = 0.0
    for n in range(1, int(1 / step) + 1):
        threshold = round(n * step, 6)
        if recall(threshold) + 1e-12 < floor:
            break
        best = threshold
    return best
