"""Interconnections between experiments: the similarity index of every experiment (any
lab), the suggestions a user may see, and why two experiments are close."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, is_platform_admin
from kenlabour.lab.models import Experiment, Interconnection
from kenlabour.lab.selectors.labs import labs_facilitated_by
from kenlabour.network.models import Directorate
from kenlabour.territories.models import Commune

SUGGESTIONS_SHOWN = 5


def _experiment_team_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(user.lab_experiments.values_list("pk", flat=True))


def _territory_labels(experiment) -> set[str]:
    """Départements named, and the communes named with their département: an experiment
    in Carhaix shares "Finistère" with one on the whole département."""
    labels = {d.name for d in experiment.departements.all()}
    for place in experiment.communes.all():
        labels.add(place.name)
        labels.add(place.departement.name)
    return labels


def facet_prefetches():
    return (
        "themes",
        "publics",
        "departements",
        Prefetch("communes", queryset=Commune.objects.select_related("departement")),
        "partners",
        Prefetch(
            "partner_directorates", queryset=Directorate.objects.select_related("organisation")
        ),
    )


def _partner_labels(experiment) -> set[str]:
    labels = {p.name for p in experiment.partners.all()}
    labels.update(d.organisation.name for d in experiment.partner_directorates.all())
    return labels


def similarity_document(experiment):
    from kenlabour.lab.similarity import Document

    return Document(
        key=experiment.pk,
        text=" ".join((experiment.title, experiment.problem, experiment.reframed_problem)),
        publics=frozenset(p.name for p in experiment.publics.all()),
        territories=frozenset(_territory_labels(experiment)),
        partners=frozenset(_partner_labels(experiment)),
        themes=frozenset(t.name for t in experiment.themes.all()),
    )


@dataclass
class ExperimentIndex:
    """The similarity index of every experiment (any lab), with what tells who may see
    each row."""

    version: tuple
    index: object  # similarity.SimilarityIndex
    lab_ids: object  # numpy arrays, in index order
    published: object


_EXPERIMENT_INDEX: dict[str, ExperimentIndex] = {}

# Lemmas of an experiment's text (and which are verbs), kept in the cache by content hash,
# and word vectors, by word, with no expiry: a rebuilt index lemmatises only the experiments
# whose text changed, and a process whose cache has everything (a shared cache in
# production) never loads spaCy. Bump the version when the analysis changes.
_ANALYSIS_VERSION = 2


def _lemma_key(text: str) -> str:
    from kenlabour.lab.similarity import content_hash

    return f"lab:lemmas:{_ANALYSIS_VERSION}:{content_hash(text)}"


def _vector_key(word: str) -> str:
    from kenlabour.lab.similarity import content_hash

    return f"lab:word-vector:{_ANALYSIS_VERSION}:{content_hash(word)}"


def with_meaning(documents):
    """The documents with their lemmas, and the word vectors of those lemmas: from the
    cache, computed (and cached) only for texts and words it lacks."""
    from dataclasses import replace

    from kenlabour.lab.similarity import (
        GENERIC_WORDS,
        content_lemmas,
        content_verbs,
        meaning_text,
        word_vectors,
    )

    texts = {d.key: meaning_text(d) for d in documents}
    keys = {key: _lemma_key(text) for key, text in texts.items()}
    cached = cache.get_many(list(keys.values()))
    missing = [key for key in texts if keys[key] not in cached]
    if missing:
        missing_texts = [texts[key] for key in missing]
        computed = zip(content_lemmas(missing_texts), content_verbs(missing_texts), strict=True)
        fresh = {
            keys[key]: (lemmas, verbs)
            for key, (lemmas, verbs) in zip(missing, computed, strict=True)
        }
        cache.set_many(fresh, timeout=None)
        cached.update(fresh)
    documents = [
        replace(d, lemmas=tuple(cached[keys[d.key]][0]), verbs=frozenset(cached[keys[d.key]][1]))
        for d in documents
    ]
    words = sorted({lemma for d in documents for lemma in d.lemmas} | set(GENERIC_WORDS))
    word_keys = {word: _vector_key(word) for word in words}
    found = cache.get_many(list(word_keys.values()))
    vectors = {word: found[key] for word, key in word_keys.items() if key in found}
    unknown = [word for word, key in word_keys.items() if key not in found]
    if unknown:
        looked_up = word_vectors(unknown)
        # An unknown word is cached as None, so it is not looked up again.
        cache.set_many({word_keys[w]: looked_up.get(w) for w in unknown}, timeout=None)
        vectors.update(looked_up)
    return documents, {word: vector for word, vector in vectors.items() if vector is not None}


def _experiment_index_version() -> tuple:
    state = Experiment.objects.aggregate(count=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return (state["count"], state["last"], state["top"])


def experiment_index() -> ExperimentIndex:
    """The index, built once per process and rebuilt when an experiment was added,
    changed or deleted (its version: count, latest update, highest id)."""
    import numpy as np

    from kenlabour.lab.similarity import SimilarityIndex

    version = _experiment_index_version()
    cached = _EXPERIMENT_INDEX.get("index")
    if cached is not None and cached.version == version:
        return cached
    experiments = list(
        Experiment.objects.only("pk", "lab_id", "published", "title", "problem", "reframed_problem")
        .prefetch_related(*facet_prefetches())
        .order_by("pk")
    )
    documents, vectors = with_meaning([similarity_document(e) for e in experiments])
    index = SimilarityIndex(documents, vectors=vectors)
    by_key = {e.pk: e for e in experiments}
    built = ExperimentIndex(
        version=version,
        index=index,
        lab_ids=np.array([by_key[int(k)].lab_id for k in index.keys], dtype=np.int64),
        published=np.array([by_key[int(k)].published for k in index.keys], dtype=bool),
    )
    _EXPERIMENT_INDEX["index"] = built
    return built


def _reason_phrases() -> dict[str, tuple[str, str]]:
    return {
        "publics": (gettext("public commun"), gettext("publics communs")),
        "territories": (gettext("territoire commun"), gettext("territoires communs")),
        "partners": (gettext("partenaire commun"), gettext("partenaires communs")),
        "themes": (gettext("thème commun"), gettext("thèmes communs")),
        "text": (gettext("problème proche"), gettext("problèmes proches")),
        "meaning": (gettext("sens proche"), gettext("sens proche")),
    }


def _word_pair() -> str:
    # Translators: two words close in meaning, e.g. « retraité » et « senior ».
    return gettext("« {0} » et « {1} »")


@dataclass
class RelatedExperiment:
    experiment: object  # Experiment
    reason: str
    score: float = 0.0


def suggestions_for(user, experiment, k: int = SUGGESTIONS_SHOWN) -> list[RelatedExperiment]:
    """Related experiments of any lab and theme, best first, with their reason in words:
    among those the user may see, leaving out links already accepted or dismissed."""
    import numpy as np

    built = experiment_index()
    if experiment.pk not in built.index:
        return []
    decided = Interconnection.objects.filter(
        Q(experiment_a=experiment) | Q(experiment_b=experiment)
    ).exclude(status="suggested")
    exclude = {
        other
        for pair in decided.values_list("experiment_a_id", "experiment_b_id")
        for other in pair
    }
    if is_platform_admin(user) or holds(user, Role.LAB_FACILITATOR):
        eligible = None
    else:
        lab_ids = list(labs_facilitated_by(user).values_list("pk", flat=True))
        eligible = built.published | np.isin(built.lab_ids, lab_ids)
        team = _experiment_team_ids(user)
        if team:
            eligible |= np.isin(built.index.keys, list(team))
    found = built.index.related(experiment.pk, k, exclude=exclude, eligible=eligible)
    others = Experiment.objects.select_related("lab").in_bulk([s.key for s in found])
    phrases = _reason_phrases()
    return [
        RelatedExperiment(others[s.key], s.reason(phrases, _word_pair()), s.score)
        for s in found
        if s.key in others
    ]


def pair_reason(experiment, other) -> str:
    """Why two experiments are close, in words (empty when they share nothing)."""
    import numpy as np

    built = experiment_index()
    if experiment.pk not in built.index or other.pk not in built.index:
        return ""
    eligible = np.zeros(len(built.index), dtype=bool)
    eligible[built.index.row_of(other.pk)] = True
    # The reason of a pair a facilitator links is said even under the threshold.
    found = built.index.related(experiment.pk, 1, eligible=eligible, threshold=0)
    return found[0].reason(_reason_phrases(), _word_pair()) if found else ""
