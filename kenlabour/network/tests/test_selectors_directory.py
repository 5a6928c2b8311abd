"""The directory's search, the map's data, the export's rows and the actor page's reads
(selectors/directory.py, map.py, exports.py, actor_page.py)."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from kenlabour.network import columns
from kenlabour.network.enums import (
    ActorKind,
    LinkSourceKind,
    ModerationStatus,
    OrganisationKind,
    ResourceKind,
)
from kenlabour.network.selectors import directory as selectors
from kenlabour.network.selectors.actor_page import actor_links, actor_page
from kenlabour.network.selectors.directory import ActorFilters, search_actors
from kenlabour.network.selectors.exports import export_rows
from kenlabour.network.selectors.map import map_features
from kenlabour.network.services import graph as graph_services
from kenlabour.network.tests.factories import (
    ActorFactory,
    FablabFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
    equip,
    facilitator,
)
from kenlabour.territories import selectors as territories
from kenlabour.territories.geo import haversine_km
from kenlabour.territories.models import Commune, Departement

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


@pytest.fixture
def quimper():
    return territories.get_commune("29232")


def names(results) -> list[str]:
    return [actor.name for actor in results[:]]


def km(a: Commune, b: Commune) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def commune_at(centre: Commune, low: float, high: float) -> Commune:
    """A real commune between `low` and `high` km from `centre` (by haversine)."""
    for other in territories.communes_within(centre, high):
        if low <= other.distance_km <= high:
            return other
    raise AssertionError(f"no commune {low}–{high} km from {centre}")


# --- text search ---------------------------------------------------------------------


def test_search_ignores_accents_and_case_in_names_and_descriptions():
    brodeuse = OrganisationFactory(name="La Brodéuse de Cornouaille")
    sante = OrganisationFactory(name="Maison de santé", description="Centre de Santé rural")
    OrganisationFactory(name="Fablab de l'Odet")

    assert names(search_actors(ANONYMOUS, ActorFilters(text="brodeuse"))) == [brodeuse.name]
    assert names(search_actors(ANONYMOUS, ActorFilters(text="BRODEUSE"))) == [brodeuse.name]
    assert names(search_actors(ANONYMOUS, ActorFilters(text="sante"))) == [sante.name]
    assert names(search_actors(ANONYMOUS, ActorFilters(text="Santé"))) == [sante.name]


def test_search_looks_in_skills_and_resource_labels():
    couture = ActorFactory(name="Les Petites Mains", skills="Patronage, couture de masques")
    laser = equip(FablabFactory(name="Fablab Kemper"), ResourceKind.LASER_CUTTER)
    FablabFactory(name="Fablab sans laser")

    assert names(search_actors(ANONYMOUS, ActorFilters(text="masques"))) == [couture.name]
    # "Découpeuse laser" is the resource's label, not in the name.
    assert names(search_actors(ANONYMOUS, ActorFilters(text="decoupeuse"))) == [laser.name]


def test_every_word_must_match():
    both = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    equip(FablabFactory(name="Fablab de Brest"), ResourceKind.PRINTER_3D)
    OrganisationFactory(name="Association laser game")

    found = search_actors(ANONYMOUS, ActorFilters(text="fablab  laser"))

    assert names(found) == [both.name]


def test_empty_search_lists_every_visible_actor_by_name():
    for name in ("Brest Fablab", "Atelier Kerlab", "Collectif Zéro déchet"):
        OrganisationFactory(name=name)

    assert names(search_actors(ANONYMOUS, ActorFilters())) == [
        "Atelier Kerlab",
        "Brest Fablab",
        "Collectif Zéro déchet",
    ]


# --- filters -----------------------------------------------------------------------------


def test_kind_organisation_kind_and_resource_filters():
    fablab = equip(FablabFactory(), ResourceKind.LASER_CUTTER, ResourceKind.PRINTER_3D)
    equip(OrganisationFactory(), ResourceKind.LASER_CUTTER)
    person = equip(PersonFactory(), ResourceKind.SEWING_MACHINE)
    collective = ActorFactory()

    def found(**filters):
        return {actor.pk for actor in search_actors(ANONYMOUS, ActorFilters(**filters))[:]}

    assert found(kind=ActorKind.PERSON) == {person.pk}
    assert found(kind=ActorKind.COLLECTIVE) == {collective.pk}
    assert found(organisation_kind=OrganisationKind.FABLAB) == {fablab.pk}
    assert found(resource_kind=ResourceKind.SEWING_MACHINE) == {person.pk}
    assert found(
        organisation_kind=OrganisationKind.FABLAB, resource_kind=ResourceKind.LASER_CUTTER
    ) == {fablab.pk}


def test_departement_epci_and_commune_filters(quimper):
    brest = commune("29019")
    rennes = commune("35238")
    in_quimper = ActorFactory(commune=quimper)
    in_brest = ActorFactory(commune=brest)
    in_rennes = ActorFactory(commune=rennes)

    def found(**filters):
        return {actor.pk for actor in search_actors(ANONYMOUS, ActorFilters(**filters))[:]}

    finistere = Departement.objects.get(code="29")
    assert found(departement=finistere) == {in_quimper.pk, in_brest.pk}
    assert found(epci=quimper.epci) == {in_quimper.pk}
    assert found(commune=rennes) == {in_rennes.pk}


def test_place_less_collectives_match_a_territory_their_area_covers(quimper):
    finistere = Departement.objects.get(code="29")
    morbihan = Departement.objects.get(code="56")
    whole_departement = PlaceLessCollectiveFactory(name="Couturières du Finistère")
    whole_departement.area_departements.add(finistere)
    by_epci = PlaceLessCollectiveFactory(name="Makers de Quimper Bretagne Occidentale")
    by_epci.area_epcis.add(quimper.epci)
    by_commune = PlaceLessCollectiveFactory(name="Réseau de Brest")
    by_commune.area_communes.add(commune("29019"))
    elsewhere = PlaceLessCollectiveFactory(name="Réseau du Morbihan")
    elsewhere.area_departements.add(morbihan)

    def found(**filters):
        return {actor.name for actor in search_actors(ANONYMOUS, ActorFilters(**filters))[:]}

    assert found(departement=finistere) == {whole_departement.name, by_epci.name, by_commune.name}
    assert found(epci=quimper.epci) == {whole_departement.name, by_epci.name}
    assert found(commune=quimper) == {whole_departement.name, by_epci.name}
    assert found(departement=morbihan) == {elsewhere.name}


# --- distance -----------------------------------------------------------------------------


def test_radius_keeps_what_lies_within_it_nearest_first(quimper):
    near = commune_at(quimper, 28.5, 29.5)
    far = commune_at(quimper, 30.5, 31.5)
    middle = commune_at(quimper, 10, 20)
    assert km(quimper, near) < 30 < km(quimper, far)
    actors = [
        FablabFactory(name="Au bord", commune=near),
        FablabFactory(name="Trop loin", commune=far),
        FablabFactory(name="À mi-chemin", commune=middle),
        FablabFactory(name="Sur place", commune=quimper),
    ]

    results = search_actors(ANONYMOUS, ActorFilters(commune=quimper, radius_km=30))

    expected = sorted(
        (km(quimper, actor.commune), actor.name)
        for actor in actors
        if km(quimper, actor.commune) <= 30
    )
    assert names(results) == [name for _distance, name in expected]
    assert len(results) == len(expected)
    assert [round(a.distance_km, 6) for a in results[:]] == [round(d, 6) for d, _ in expected]


def test_radius_combines_with_other_filters(quimper):
    near = commune_at(quimper, 5, 25)
    laser = equip(FablabFactory(commune=near), ResourceKind.LASER_CUTTER)
    equip(FablabFactory(commune=near), ResourceKind.PRINTER_3D)
    equip(OrganisationFactory(commune=near), ResourceKind.LASER_CUTTER)

    results = search_actors(
        ANONYMOUS,
        ActorFilters(
            commune=quimper,
            radius_km=30,
            organisation_kind=OrganisationKind.FABLAB,
            resource_kind=ResourceKind.LASER_CUTTER,
        ),
    )

    assert [a.pk for a in results[:]] == [laser.pk]


def test_place_less_collectives_within_a_radius_by_their_nearest_area(quimper):
    near, far = commune_at(quimper, 20, 29), commune_at(quimper, 31, 40)
    by_near_commune = PlaceLessCollectiveFactory(name="Proche")
    by_near_commune.area_communes.add(near, far)
    by_far_commune = PlaceLessCollectiveFactory(name="Lointain")
    by_far_commune.area_communes.add(far)
    whole_departement = PlaceLessCollectiveFactory(name="Tout le Finistère")
    whole_departement.area_departements.add("29")
    cotes_darmor = PlaceLessCollectiveFactory(name="Côtes-d'Armor")
    cotes_darmor.area_departements.add("22")
    nearest_in_22 = min(km(quimper, c) for c in Commune.objects.filter(departement="22"))

    results = search_actors(ANONYMOUS, ActorFilters(commune=quimper, radius_km=30))
    found = {actor.name: actor.distance_km for actor in results[:]}

    expected = {"Proche": km(quimper, near), "Tout le Finistère": 0.0}
    if nearest_in_22 <= 30:
        expected["Côtes-d'Armor"] = nearest_in_22
    assert found == pytest.approx(expected)


# --- visibility --------------------------------------------------------------------------


def test_people_without_consent_are_only_found_by_facilitators():
    hidden = PersonFactory(name="Anne Le Goff", public_consent=False)
    public = PersonFactory(name="Yann Morvan", public_consent=True)
    pending = OrganisationFactory(name="Asso en attente", status=ModerationStatus.PENDING)

    anonymous = {a.pk for a in search_actors(ANONYMOUS, ActorFilters())[:]}
    staff = {a.pk for a in search_actors(facilitator(), ActorFilters())[:]}

    assert anonymous == {public.pk}
    assert staff == {hidden.pk, public.pk, pending.pk}
    assert search_actors(ANONYMOUS, ActorFilters(text="le goff")).count() == 0


def test_radius_search_keeps_the_visibility_rule(quimper):
    PersonFactory(public_consent=False, commune=quimper)

    assert search_actors(ANONYMOUS, ActorFilters(commune=quimper, radius_km=10)).count() == 0
    assert search_actors(facilitator(), ActorFilters(commune=quimper, radius_km=10)).count() == 1


# --- results as a sequence --------------------------------------------------------------


@pytest.mark.parametrize("around", [False, True])
def test_results_cut_into_pages_like_a_list(quimper, around):
    for n in range(7):
        OrganisationFactory(name=f"Organisation {n:02d}")
    filters = ActorFilters(commune=quimper, radius_km=5) if around else ActorFilters()

    results = search_actors(ANONYMOUS, filters)

    every = names(results)
    assert len(every) == results.count() == 7
    assert names(results[2:5]) == every[2:5]
    assert results[6].name == every[6]
    assert [a.name for a in results[:]] == every
    assert results.ids() == [a.pk for a in results[:]]
    with pytest.raises(IndexError):
        results[7]


# --- map ---------------------------------------------------------------------------------


def test_map_features_are_the_results_with_a_place_and_the_areas_of_the_place_less(quimper):
    fablab = FablabFactory(name="Fablab Kemper", commune=quimper)
    hidden = PersonFactory(public_consent=False, commune=quimper)
    place_less = PlaceLessCollectiveFactory(name="Sans lieu")
    place_less.area_communes.add(commune("29019"))
    place_less.area_departements.add("56")

    data = map_features(search_actors(ANONYMOUS, ActorFilters()), "/reseau/acteurs/__slug__/")

    by_name = {}
    for feature in data["features"]:
        by_name.setdefault(feature["properties"]["name"], []).append(feature)
    assert set(by_name) == {fablab.name, place_less.name}
    assert hidden.name not in by_name
    [marker] = by_name[fablab.name]
    assert marker["geometry"]["coordinates"] == [
        round(quimper.longitude, 5),
        round(quimper.latitude, 5),
    ]
    assert marker["properties"]["url"] == f"/reseau/acteurs/{fablab.slug}/"
    assert "radius" not in marker["properties"]
    areas = {f["properties"]["area"]: f for f in by_name[place_less.name]}
    assert set(areas) == {"Brest", "Morbihan"}
    # The circle of a département holds all its communes.
    morbihan = areas["Morbihan"]
    lon, lat = morbihan["geometry"]["coordinates"]
    farthest = max(
        haversine_km(lat, lon, c.latitude, c.longitude)
        for c in Commune.objects.filter(departement="56")
    )
    assert morbihan["properties"]["radius"] >= farthest * 1000 - 1


# --- export rows -------------------------------------------------------------------------


def test_export_rows_follow_the_columns_and_the_import_format(quimper):
    fablab = equip(
        FablabFactory(name="Fablab Kemper", commune=quimper, siret="", address="1 rue du Port"),
        ResourceKind.PRINTER_3D,
        ResourceKind.LASER_CUTTER,
        quantity=2,
    )
    place_less = PlaceLessCollectiveFactory(name="Réseau sans lieu")
    place_less.area_departements.add("29")
    place_less.area_communes.add(quimper)

    rows = list(export_rows(search_actors(ANONYMOUS, ActorFilters()), lambda s: f"/p/{s}"))

    assert [len(row) for row in rows] == [len(columns.EXPORT_COLUMNS)] * 2
    first, second = (dict(zip(columns.EXPORT_COLUMNS, row, strict=True)) for row in rows)
    assert first[columns.NAME] == fablab.name
    assert first[columns.KIND] == "organisation"
    assert first[columns.ORGANISATION_KIND] == "Fablab"
    assert first[columns.COMMUNE] == "Quimper (29)"
    assert first[columns.INSEE_CODE] == "29232"
    assert first[columns.PLACE_LESS] == columns.NO
    # In a stable order: by the resource's code.
    assert first[columns.RESOURCES] == "Découpeuse laser:2, Imprimante 3D:2"
    assert first[columns.LATITUDE] == round(quimper.latitude, 5)
    assert first[columns.PAGE] == f"/p/{fablab.slug}"
    assert second[columns.KIND] == "collectif"
    assert second[columns.PLACE_LESS] == columns.YES
    assert second[columns.AREA] == "Finistère|Quimper (29)"
    assert second[columns.LATITUDE] is None


# --- actor page --------------------------------------------------------------------------


def test_links_figures_are_computed_from_their_sources():
    fablab = FablabFactory(name="Fablab")
    mairie = OrganisationFactory(name="Mairie")
    hidden = PersonFactory(public_consent=False)
    dates = [datetime.date(2020, 4, 2), datetime.date(2020, 3, 20), datetime.date(2021, 1, 5)]
    for n, date in enumerate(dates):
        graph_services.record_cooperation(
            [fablab.pk, mairie.pk],
            kind=LinkSourceKind.WORKSHOP,
            reference=f"atelier-{n}",
            date=date,
            label=f"Atelier {n}",
            weight=n + 1,
        )
    graph_services.record_cooperation(
        [fablab.pk, hidden.pk], kind=LinkSourceKind.DELIVERY, reference="l1", date=dates[0]
    )

    links, shown, hidden_count = actor_links(ANONYMOUS, fablab)

    [link] = links
    assert link.other == mairie
    assert link.weight == 1 + 2 + 3
    assert (link.first_date, link.last_date) == (min(dates), max(dates))
    assert [s.label for s in link.sources] == ["Atelier 2", "Atelier 0", "Atelier 1"]
    assert (shown, hidden_count) == (1, 1)
    staff_links, staff_shown, staff_hidden = actor_links(facilitator(), fablab)
    assert {link.other.pk for link in staff_links} == {mairie.pk, hidden.pk}
    assert (staff_shown, staff_hidden) == (2, 0)


def test_actor_page_shows_public_members_and_counts_the_others():
    group = OrganisationFactory()
    shown = [MembershipFactory(group=group, person=PersonFactory(public_consent=True))]
    for _ in range(3):
        MembershipFactory(group=group, person=PersonFactory(public_consent=False))

    page = actor_page(ANONYMOUS, group.slug)

    assert [m.person for m in page.members] == [m.person for m in shown]
    assert page.hidden_members == 3
    staff_page = actor_page(facilitator(), group.slug)
    assert (len(staff_page.members), staff_page.hidden_members) == (4, 0)


def test_actor_page_refuses_actors_the_user_may_not_see():
    person = PersonFactory(public_consent=False)

    with pytest.raises(selectors.Actor.DoesNotExist):
        actor_page(ANONYMOUS, person.slug)
    assert actor_page(facilitator(), person.slug).actor == person


# --- EPCI names --------------------------------------------------------------------------


def test_resolve_epci_by_name_or_siren(quimper):
    epci = quimper.epci
    assert selectors.resolve_epci(epci.code) == epci
    assert selectors.resolve_epci(epci.name.upper()) == epci
    assert epci.name == "CA Quimper Bretagne Occidentale"
    assert selectors.resolve_epci("Quimper Bretagne Occidentale") == epci
    assert selectors.resolve_epci("communaute d'agglomeration quimper bretagne occidentale") == epci
    with pytest.raises(selectors.EpciLookupError, match="Aucune intercommunalité"):
        selectors.resolve_epci("Communauté introuvable de nulle part")
    with pytest.raises(selectors.EpciLookupError, match="Plusieurs"):
        selectors.resolve_epci("Communauté de communes du Pays")
