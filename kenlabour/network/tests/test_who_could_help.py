"""« Qui peut aider ? » : the selector on actors placed in real communes, and its page."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.accounts.enums import Role
from kenlabour.accounts.services import assign_role
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network.enums import LinkSourceKind, ModerationStatus, ResourceKind
from kenlabour.network.selectors import who_could_help as selectors
from kenlabour.network.services import graph as graph_services
from kenlabour.network.tests.factories import (
    ActorFactory,
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    ResourceFactory,
    commune,
)
from kenlabour.territories.geo import haversine_km

SEWING = ResourceKind.SEWING_MACHINE
DAY = datetime.date(2020, 4, 2)


def know(*actors, reference=None):
    graph_services.record_cooperation(
        [a.pk for a in actors],
        kind=LinkSourceKind.WORKSHOP,
        reference=reference or "-".join(str(a.pk) for a in actors),
        date=DAY,
    )


def km(a, b) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


@pytest.fixture
def lorient(db):
    return commune("56121")


@pytest.fixture
def network(lorient):
    return make_network(lorient)


def make_network(lorient):
    """Anne in Lorient looks for sewing machines. She knows Marie (Hennebont, who has one)
    and Yann, who runs the Fablab de Lorient; through Paul (no public page) and Loïc she
    reaches the Collectif de Vannes; the Collectif de Quimperlé knows nobody she knows."""
    anne = PersonFactory(name="Anne Le Goff", commune=lorient)
    yann = PersonFactory(name="Yann Kerguelen", commune=commune("56098"))
    marie = PersonFactory(name="Marie Riou", commune=commune("56083"))
    paul = PersonFactory(name="Paul Tanguy", commune=commune("56162"), public_consent=False)
    loic = PersonFactory(name="Loïc Morvan", commune=commune("56260"))
    fablab = FablabFactory(name="Fablab de Lorient", commune=commune("56098"))
    vannes = ActorFactory(name="Collectif de Vannes", commune=commune("56260"))
    quimperle = ActorFactory(name="Collectif de Quimperlé", commune=commune("29233"))
    brest = ActorFactory(name="Couturières de Brest", commune=commune("29019"))
    pending = ActorFactory(
        name="Collectif en attente", commune=lorient, status=ModerationStatus.PENDING
    )
    ResourceFactory(actor=fablab, kind=SEWING, quantity=5)
    ResourceFactory(actor=marie, kind=SEWING, quantity=1)
    ResourceFactory(actor=vannes, kind=SEWING, quantity=12)
    ResourceFactory(actor=quimperle, kind=SEWING, quantity=2)
    ResourceFactory(actor=brest, kind=SEWING, quantity=30)  # 109 km away
    ResourceFactory(actor=pending, kind=SEWING, quantity=3)  # not published
    ResourceFactory(actor=loic, kind=ResourceKind.PRINTER_3D)  # not what is asked
    know(anne, marie)
    know(anne, yann)
    know(yann, fablab)
    know(anne, paul)
    know(paul, loic)
    know(loic, vannes)
    return {
        "anne": anne,
        "yann": yann,
        "marie": marie,
        "paul": paul,
        "loic": loic,
        "fablab": fablab,
        "vannes": vannes,
        "quimperle": quimperle,
        "brest": brest,
        "pending": pending,
    }


def test_candidates_are_ranked_by_chain_then_distance_with_real_distances(network, lorient):
    result = selectors.who_could_help(
        AnonymousUser(),
        resource_kind=SEWING,
        commune=lorient,
        radius_km=60,
        seeker=network["anne"],
    )
    n = network
    assert [(row.actor, row.hops) for row in result.rows] == [
        (n["marie"], 1),
        (n["fablab"], 2),
        (n["vannes"], 3),
        (n["quimperle"], None),
    ]
    for row in result.rows:
        assert row.distance_km == pytest.approx(km(lorient, row.actor.commune))
    assert [r.quantity for r in result.rows] == [1, 5, 12, 2]
    assert result.found == 4
    assert [step.name for step in result.rows[1].chain] == [
        "Anne Le Goff",
        "Yann Kerguelen",
        "Fablab de Lorient",
    ]
    assert result.rows[3].chain == ()


def test_the_radius_is_an_exact_great_circle_distance(network, lorient):
    vannes = network["vannes"].commune
    just_short = km(lorient, vannes) - 0.01
    result = selectors.who_could_help(
        AnonymousUser(), resource_kind=SEWING, commune=lorient, radius_km=just_short
    )
    assert network["vannes"] not in [row.actor for row in result.rows]
    result = selectors.who_could_help(
        AnonymousUser(), resource_kind=SEWING, commune=lorient, radius_km=just_short + 0.02
    )
    assert network["vannes"] in [row.actor for row in result.rows]


def test_a_person_without_consent_in_a_chain_is_anonymised_for_the_public(network, lorient):
    result = selectors.who_could_help(
        AnonymousUser(),
        resource_kind=SEWING,
        commune=lorient,
        radius_km=60,
        seeker=network["anne"],
    )
    chain = next(row.chain for row in result.rows if row.actor == network["vannes"])
    assert [step.name for step in chain] == [
        "Anne Le Goff",
        "une personne du réseau",
        "Loïc Morvan",
        "Collectif de Vannes",
    ]
    assert chain[1].anonymous and chain[1].url == ""
    assert chain[2].url == network["loic"].get_absolute_url()


def test_facilitators_see_the_name_of_everyone_in_a_chain(network, lorient):
    admin = UserFactory(is_superuser=True)
    facilitator = UserFactory()
    assign_role(admin, facilitator, Role.LAB_FACILITATOR)
    result = selectors.who_could_help(
        facilitator,
        resource_kind=SEWING,
        commune=lorient,
        radius_km=60,
        seeker=network["anne"],
    )
    chain = next(row.chain for row in result.rows if row.actor == network["vannes"])
    assert chain[1].name == "Paul Tanguy" and not chain[1].anonymous
    # Facilitators still get only published actors as candidates.
    assert network["pending"] not in [row.actor for row in result.rows]


def test_people_without_consent_are_not_offered_as_candidates_to_the_public(network, lorient):
    ResourceFactory(actor=network["paul"], kind=SEWING, quantity=4)
    result = selectors.who_could_help(
        AnonymousUser(), resource_kind=SEWING, commune=lorient, radius_km=60
    )
    assert network["paul"] not in [row.actor for row in result.rows]


def test_the_seeker_is_the_users_own_actor_and_is_not_its_own_helper(network, lorient):
    user = UserFactory()
    anne = network["anne"]
    anne.user = user
    anne.save()
    ResourceFactory(actor=anne, kind=SEWING, quantity=1)
    result = selectors.who_could_help(user, resource_kind=SEWING, commune=lorient, radius_km=60)
    assert result.seeker == anne
    assert anne not in [row.actor for row in result.rows]
    assert result.rows[0].actor == network["marie"] and result.rows[0].hops == 1


def test_without_a_seeker_the_nearest_come_first(network, lorient):
    result = selectors.who_could_help(
        AnonymousUser(), resource_kind=SEWING, commune=lorient, radius_km=60
    )
    assert result.seeker is None
    distances = [row.distance_km for row in result.rows]
    assert distances == sorted(distances)
    assert all(row.hops is None for row in result.rows)


def test_place_less_collectives_have_no_distance_and_are_left_out(network, lorient):
    place_less = PlaceLessCollectiveFactory(name="Masques solidaires")
    ResourceFactory(actor=place_less, kind=SEWING, quantity=40)
    result = selectors.who_could_help(
        AnonymousUser(), resource_kind=SEWING, commune=lorient, radius_km=200
    )
    assert place_less not in [row.actor for row in result.rows]


def test_the_limit_keeps_the_best_and_counts_them_all(network, lorient):
    result = selectors.who_could_help(
        AnonymousUser(),
        resource_kind=SEWING,
        commune=lorient,
        radius_km=60,
        seeker=network["anne"],
        limit=2,
    )
    assert [row.actor for row in result.rows] == [network["marie"], network["fablab"]]
    assert result.found == 4


def test_link_neighbours_reads_both_sides_and_restricts_to_within(network):
    n = network
    assert selectors.link_neighbours([n["anne"].pk])[n["anne"].pk] == {
        n["marie"].pk,
        n["yann"].pk,
        n["paul"].pk,
    }
    restricted = selectors.link_neighbours([n["anne"].pk], within=[n["paul"].pk])
    assert restricted[n["anne"].pk] == {n["paul"].pk}


def grow(lorient, count: int, start: int):
    """More actors with the resource, each knowing the previous one."""
    previous = None
    for i in range(count):
        actor = ActorFactory(name=f"Atelier {start + i}", commune=lorient)
        ResourceFactory(actor=actor, kind=SEWING, quantity=1 + i % 3)
        if previous is not None:
            know(previous, actor, reference=f"grow-{start + i}")
        previous = actor
    return previous


def queries_of(user, lorient, seeker) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.who_could_help(
            user, resource_kind=SEWING, commune=lorient, radius_km=60, seeker=seeker
        )
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_actors_and_links(network, lorient):
    anne, user = network["anne"], AnonymousUser()
    before = queries_of(user, lorient, anne)
    last = grow(lorient, 30, 0)
    know(anne, last, reference="anne-last")
    know(network["yann"], last, reference="yann-last")
    assert queries_of(user, lorient, anne) == before
    assert before <= 6


# --- the page -------------------------------------------------------------------------


def test_the_empty_page_offers_the_form(client, db):
    response = client.get(reverse("network:who_could_help"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "J&#x27;ai besoin de" in html or "J'ai besoin de" in html
    assert 'name="ressource"' in html and 'name="commune"' in html and 'name="rayon"' in html


def test_the_page_shows_the_chain_in_words(client, network):
    response = client.get(
        reverse("network:who_could_help"),
        {"ressource": SEWING, "commune": "Lorient", "rayon": "60", "acteur": network["anne"].slug},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Qui peut aider Anne Le Goff ?" in text
    assert "4 acteurs ont « Machine à coudre »" in text
    assert "connaît" in text and "qui connaît" in text
    assert "une personne du réseau" in text
    assert "Paul Tanguy" not in text
    assert response.context["result"].rows[0].actor == network["marie"]


def test_the_seeker_commune_is_used_when_none_is_typed(client, network):
    response = client.get(
        reverse("network:who_could_help"), {"ressource": SEWING, "acteur": network["anne"].slug}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.commune.code == "56121"
    assert result.radius_km == 30


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"ressource": SEWING, "commune": "Lorient-sur-Mer"}, "commune", "Aucune commune"),
        ({"ressource": SEWING}, "commune", "Indiquez près de quelle commune"),
        ({"ressource": "licorne", "commune": "Lorient"}, "ressource", "Choisissez une ressource"),
        (
            {"ressource": SEWING, "commune": "Lorient", "rayon": "900"},
            "rayon",
            "ne peut pas dépasser 200 km",
        ),
        ({"ressource": SEWING, "commune": "Lorient", "rayon": "dix"}, "rayon", "nombre entier"),
    ],
)
def test_bad_input_is_answered_in_french_at_the_field(client, db, params, field, message):
    response = client.get(reverse("network:who_could_help"), params)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert response.context["result"] is None


def test_an_unknown_or_hidden_seeker_is_refused(client, network):
    for slug in ("personne-inconnue", network["paul"].slug):
        response = client.get(
            reverse("network:who_could_help"),
            {"ressource": SEWING, "commune": "Lorient", "acteur": slug},
        )
        assert response.status_code == 200
        assert "n'existe pas ou sa page n'est pas publique" in response.content.decode().replace(
            "&#x27;", "'"
        )
        assert response.context["result"] is None


def test_the_actor_page_section_sends_its_actor(network, rf):
    from django.template.loader import render_to_string

    html = render_to_string(
        "network/_who_could_help.html", {"actor": network["vannes"], "user": AnonymousUser()}
    )
    assert f'value="{network["vannes"].slug}"' in html
    assert 'name="commune"' not in html  # the actor's commune is used
    assert reverse("network:who_could_help") in html
    place_less = PlaceLessCollectiveFactory()
    html = render_to_string(
        "network/_who_could_help.html", {"actor": place_less, "user": AnonymousUser()}
    )
    assert 'name="commune"' in html  # a place-less collective must say where
