"""Workshop pages: what people see and submit, permissions, query counts, calendars."""

import datetime
from html import unescape

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import Attendance, Registration, Workshop
from kenlabour.lab.tests.factories import (
    AttendanceFactory,
    LabFactory,
    MethodFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    WorkshopFactory,
    in_days,
)
from kenlabour.network.tests.factories import DirectorateFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return unescape(response.content.decode())


def _workshop_url(workshop, name="lab:workshop"):
    return reverse(name, kwargs={"slug": workshop.slug})


# The list and the page


def test_the_list_shows_upcoming_published_workshops_filtered_by_lab_and_theme(client):
    lab, other = LabFactory(name="Labo Breizh"), LabFactory()
    theme = ThemeFactory(name="Mobilité")
    shown = WorkshopFactory(lab=lab, title="Permis de conduire solidaire")
    shown.themes.add(theme)
    WorkshopFactory(lab=other, title="Autre laboratoire")
    WorkshopFactory(lab=lab, title="Pas publié", published=False)
    WorkshopFactory(lab=lab, title="Déjà passé", starts_at=in_days(-9), ends_at=in_days(-9, 12))
    response = client.get(reverse("lab:workshops"), {"labo": lab.slug, "theme": theme.slug})
    content = _text(response)
    assert "Permis de conduire solidaire" in content
    for hidden in ("Autre laboratoire", "Pas publié", "Déjà passé"):
        assert hidden not in content
    past = _text(client.get(reverse("lab:workshops"), {"passes": "on"}))
    assert "Déjà passé" in past and "Permis de conduire solidaire" not in past


def test_the_list_keeps_the_workshops_held_near_a_commune(client):
    from kenlabour.network.tests.factories import commune
    from kenlabour.territories.geo import haversine_km

    rennes = commune("35238")
    workshops = [
        WorkshopFactory(title=f"Atelier à {place.name}", commune=place)
        for place in (rennes, commune("35051"), commune("35047"), commune("29232"))
    ]
    WorkshopFactory(title="Seulement en visio", commune=None, online_url="https://visio.example/a")

    def distance(workshop):
        place = workshop.commune
        return haversine_km(rennes.latitude, rennes.longitude, place.latitude, place.longitude)

    for radius in (1, 20, 200):
        content = _text(
            client.get(reverse("lab:workshops"), {"pres_de": "Rennes", "rayon": radius})
        )
        for workshop in workshops:
            assert (workshop.title in content) == (distance(workshop) <= radius), (radius, workshop)
        assert "Seulement en visio" not in content
    near = [w for w in workshops if distance(w) <= 20]
    assert 1 < len(near) < len(workshops), "the places chosen straddle the radius"


def test_a_wrong_place_or_radius_is_said_at_its_field_and_the_other_filters_still_apply(client):
    lab = LabFactory()
    WorkshopFactory(lab=lab, title="Du bon laboratoire")
    WorkshopFactory(title="D'un autre laboratoire")
    response = client.get(
        reverse("lab:workshops"), {"labo": lab.slug, "pres_de": "Rennes-sur-Mer", "rayon": "2000"}
    )
    assert response.status_code == 200
    content = _text(response)
    assert "Aucune commune ne correspond à « Rennes-sur-Mer »" in content
    assert "Le rayon ne peut pas dépasser 200 km." in content
    assert "Du bon laboratoire" in content and "D'un autre laboratoire" not in content


def test_the_workshop_page_shows_date_in_french_place_method_and_seats(client):
    method = MethodFactory(name="World café")
    workshop = WorkshopFactory(
        title="Accès aux droits",
        starts_at=timezone.make_aware(datetime.datetime(2031, 3, 14, 9, 30)),
        ends_at=timezone.make_aware(datetime.datetime(2031, 3, 14, 12, 0)),
        method=method,
        capacity=3,
    )
    RegistrationFactory(workshop=workshop)
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.CANCELLED)
    content = _text(client.get(_workshop_url(workshop)))
    assert "vendredi 14 mars 2031, 09h30" in content
    assert "2 rue du Parc, Quimper" in content
    assert reverse("lab:method", kwargs={"slug": method.slug}) in content
    assert "2 places libres sur 3" in content


def test_an_unpublished_workshop_is_hidden_from_the_public(client):
    workshop = WorkshopFactory(published=False)
    assert client.get(_workshop_url(workshop)).status_code == 404
    client.force_login(user_with_role("lab_facilitator"))
    assert client.get(_workshop_url(workshop)).status_code == 200


# Registration through the pages


def test_a_person_without_account_registers_then_cancels_with_the_link(client):
    workshop = WorkshopFactory(capacity=1)
    response = client.post(
        _workshop_url(workshop, "lab:register"),
        {"name": "Anne Le Goff", "email": "anne@exemple.bzh"},
        follow=True,
    )
    registration = Registration.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "lab:registration", kwargs={"token": registration.token}
    )
    assert "Place confirmée pour Anne Le Goff" in _text(response)
    assert "Place confirmée" in mail.outbox[0].subject
    client.post(_workshop_url(workshop, "lab:register"), {"name": "Bob", "email": "b@exemple.bzh"})
    cancel_url = reverse("lab:registration", kwargs={"token": registration.token})
    # A confirmation step first: nothing changes until it is confirmed.
    asked = client.post(cancel_url)
    assert "Oui, annuler mon inscription" in _text(asked)
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    response = client.post(cancel_url, {"confirmation": "1"}, follow=True)
    assert "est annulée" in _text(response)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "anne@exemple.bzh": RegistrationStatus.CANCELLED,
        "b@exemple.bzh": RegistrationStatus.CONFIRMED,
    }


def test_a_full_workshop_tells_the_position_on_the_waiting_list(client):
    workshop = WorkshopFactory(capacity=1)
    RegistrationFactory(workshop=workshop)
    response = client.post(
        _workshop_url(workshop, "lab:register"),
        {"name": "Anne", "email": "anne@exemple.bzh"},
        follow=True,
    )
    assert "liste d'attente, en position 1" in _text(response)


def test_registering_twice_shows_a_message_at_the_form_and_changes_nothing(client):
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop, email="anne@exemple.bzh")
    before = list(Registration.objects.values_list("pk", "status", "token"))
    response = client.post(
        _workshop_url(workshop, "lab:register"), {"name": "Anne", "email": "anne@exemple.bzh"}
    )
    assert response.status_code == 200
    assert "anne@exemple.bzh a déjà une place à cet atelier : rien n'a changé." in (_text(response))
    assert list(Registration.objects.values_list("pk", "status", "token")) == before


def test_bad_registration_input_is_shown_at_the_fields(client):
    workshop = WorkshopFactory()
    response = client.post(
        _workshop_url(workshop, "lab:register"), {"name": "", "email": "pas-une-adresse"}
    )
    content = _text(response)
    assert "Indiquez votre nom." in content
    assert "Écrivez une adresse e-mail complète" in content
    assert not Registration.objects.exists()


def test_a_closed_workshop_says_so_and_refuses_a_forced_post(client):
    workshop = WorkshopFactory(registration_closed=True)
    assert "Les inscriptions à cet atelier sont closes." in (
        _text(client.get(_workshop_url(workshop)))
    )
    response = client.post(
        _workshop_url(workshop, "lab:register"), {"name": "Anne", "email": "anne@exemple.bzh"}
    )
    assert "Les inscriptions à cet atelier sont closes." in _text(response)
    assert not Registration.objects.exists()


def test_a_facilitator_invites_someone_to_an_invitation_only_workshop(client):
    workshop = WorkshopFactory(registration_mode="invitation")
    client.force_login(UserFactory())
    assert (
        client.post(
            _workshop_url(workshop, "lab:invite"),
            {"invitation-name": "Anne", "invitation-email": "anne@exemple.bzh"},
        ).status_code
        == 403
    )
    client.force_login(user_with_role("lab_facilitator"))
    client.post(
        _workshop_url(workshop, "lab:invite"),
        {"invitation-name": "Anne", "invitation-email": "anne@exemple.bzh"},
    )
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


# Creating and editing


def _form_data(lab, **overrides):
    data = {
        "lab": lab.pk,
        "title": "Atelier parcours usager",
        "purpose": "Comprendre.",
        "starts_at": "2031-03-14T09:30",
        "ends_at": "2031-03-14T12:00",
        "commune": "Quimper",
        "capacity": "2",
        "registration_mode": "public",
        "published": "on",
    }
    return {**data, **overrides}


def test_a_facilitator_creates_a_workshop_with_the_form(client):
    lab = LabFactory()
    client.force_login(user_with_role("lab_facilitator"))
    response = client.post(reverse("lab:workshop_create"), _form_data(lab))
    workshop = Workshop.objects.get()
    assert response.url == workshop.get_absolute_url()
    assert timezone.localtime(workshop.starts_at).strftime("%H:%M") == "09:30"
    assert workshop.commune.code == "29232"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2031-03-14T08:00"}, "La fin de l'atelier doit être après son début."),
        ({"capacity": "0"}, "Un atelier a au moins une place : indiquez 1 ou plus."),
        ({"capacity": "-2"}, "Un atelier a au moins une place : indiquez 1 ou plus."),
        (
            {"commune": "", "online_url": ""},
            "Indiquez où a lieu l'atelier : une commune, un lien de visioconférence",
        ),
        ({"commune": "Quimperlé-sur-Mer"}, "Quimperlé-sur-Mer"),
        ({"starts_at": "demain matin"}, "Écrivez une date et une heure"),
    ],
)
def test_bad_workshop_input_gets_a_french_message_and_nothing_is_created(
    client, overrides, message
):
    lab = LabFactory()
    client.force_login(user_with_role("lab_facilitator"))
    response = client.post(reverse("lab:workshop_create"), _form_data(lab, **overrides))
    assert response.status_code == 200
    assert message in _text(response)
    assert not Workshop.objects.exists()


def test_only_facilitators_reach_the_create_edit_and_attendance_pages(client):
    workshop = WorkshopFactory()
    urls = [
        reverse("lab:workshop_create"),
        _workshop_url(workshop, "lab:workshop_edit"),
        _workshop_url(workshop, "lab:attendance"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302, "anonymous people are asked to log in"
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(_workshop_url(workshop, "lab:workshop_edit"), {}).status_code == 403
    client.force_login(user_with_role("lab_facilitator"))
    for url in urls:
        assert client.get(url).status_code == 200


# The sign-in sheet


def test_the_sheet_ticks_a_person_present_without_javascript(client):
    workshop = WorkshopFactory()
    registration = RegistrationFactory(workshop=workshop, name="Anne Le Goff")
    directorate = DirectorateFactory(name="Direction des solidarités")
    organisation = directorate.organisation
    client.force_login(user_with_role("lab_facilitator"))
    prefix = f"r{registration.pk}"
    response = client.post(
        _workshop_url(workshop, "lab:attendance"),
        {
            "registration": registration.pk,
            f"{prefix}-kind": ParticipantKind.PUBLIC_AGENT,
            f"{prefix}-organisation": organisation.name.upper(),
            f"{prefix}-directorate": "direction des solidarités",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#inscrit-{registration.pk}")
    attendance = Attendance.objects.get()
    assert (attendance.organisation, attendance.directorate) == (organisation, directorate)


def test_the_sheet_answers_htmx_with_the_row_and_the_count_out_of_band(client):
    registration = RegistrationFactory(name="Anne Le Goff")
    RegistrationFactory(workshop=registration.workshop, name="Bob")
    AttendanceFactory(workshop=registration.workshop, name="Yann", walk_in=True)
    client.force_login(user_with_role("lab_facilitator"))
    prefix = f"r{registration.pk}"
    response = client.post(
        _workshop_url(registration.workshop, "lab:attendance"),
        {"registration": registration.pk, f"{prefix}-kind": ParticipantKind.CITIZEN},
        HTTP_HX_REQUEST="true",
    )
    content = _text(response)
    assert content.lstrip().startswith(f'<li id="inscrit-{registration.pk}"')
    assert "présence notée" in content and "Usager ou usagère" in content
    assert "<html" not in content
    # The count moves with each tick: the walk-in and Anne, recomputed from the records.
    count = content[content.index('id="compte"') :]
    assert 'hx-swap-oob="true"' in count[:120]
    assert f"{Attendance.objects.filter(workshop=registration.workshop).count()} personnes" in count


def _came_as_post(client, registration, htmx=False, **values):
    prefix = f"r{registration.pk}"
    data = {"registration": registration.pk} | {f"{prefix}-{k}": v for k, v in values.items()}
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(_workshop_url(registration.workshop, "lab:attendance"), data, **extra)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_public_agent_of_an_organisation_outside_the_directory_is_recorded(client, htmx):
    """Issue 11, item 2: an organisation typed freely with a directorate was a 500
    (KeyError 'organisation'); it is now recorded as typed."""
    registration = RegistrationFactory()
    client.force_login(user_with_role("lab_facilitator"))
    response = _came_as_post(
        client,
        registration,
        htmx=htmx,
        kind=ParticipantKind.PUBLIC_AGENT,
        organisation="  CAF d'Ille-et-Vilaine ",
        directorate="Direction de l'action sociale",
    )
    assert response.status_code == (200 if htmx else 302)
    attendance = Attendance.objects.get()
    assert attendance.organisation is None and attendance.directorate is None
    assert attendance.organisation_name == "CAF d'Ille-et-Vilaine"
    assert attendance.directorate_name == "Direction de l'action sociale"
    sheet = _text(client.get(_workshop_url(registration.workshop, "lab:attendance")))
    assert "CAF d'Ille-et-Vilaine, Direction de l'action sociale" in sheet


@pytest.mark.parametrize("htmx", [False, True])
def test_a_public_agent_without_organisation_gets_one_message_in_both_answers(client, htmx):
    registration = RegistrationFactory()
    client.force_login(user_with_role("lab_facilitator"))
    response = _came_as_post(
        client,
        registration,
        htmx=htmx,
        kind=ParticipantKind.PUBLIC_AGENT,
        directorate="Direction des solidarités",
    )
    content = _text(response)
    assert response.status_code == 200
    assert "Pour un agent public, indiquez son organisation." in content
    assert "Indiquez aussi l'organisation de cette direction." in content
    assert "n'est pas une organisation de l'annuaire" not in content
    assert not Attendance.objects.exists()


def test_a_name_the_directory_holds_twice_must_be_told_apart(client):
    registration = RegistrationFactory()
    OrganisationFactory(name="Mission locale")
    OrganisationFactory(name="Mission locale")
    client.force_login(user_with_role("lab_facilitator"))
    response = _came_as_post(
        client, registration, kind=ParticipantKind.PUBLIC_AGENT, organisation="Mission locale"
    )
    assert "Plusieurs organisations de l'annuaire" in _text(response)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_tick_is_undone_from_the_sheet(client, htmx):
    registration = RegistrationFactory(name="Anne Le Goff")
    attendance = AttendanceFactory(
        workshop=registration.workshop, registration=registration, name=registration.name
    )
    client.force_login(user_with_role("lab_facilitator"))
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        _workshop_url(registration.workshop, "lab:attendance_undo"),
        {"attendance": attendance.pk},
        **extra,
    )
    assert not Attendance.objects.exists()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    if htmx:
        content = _text(response)
        assert content.lstrip().startswith(f'<li id="inscrit-{registration.pk}"')
        assert "Aucune présence notée" in content
    else:
        assert response.status_code == 302
        assert response.url.endswith(f"#inscrit-{registration.pk}")


def test_undoing_a_tick_needs_the_right_to_take_attendance(client):
    attendance = AttendanceFactory()
    client.force_login(UserFactory())
    response = client.post(
        _workshop_url(attendance.workshop, "lab:attendance_undo"), {"attendance": attendance.pk}
    )
    assert response.status_code == 403
    assert Attendance.objects.exists()


def test_the_sheet_shows_a_qr_code_to_the_code_page_and_the_paper_sheet(client):
    registration = RegistrationFactory(name="Anne Le Goff")
    client.force_login(user_with_role("lab_facilitator"))
    workshop = registration.workshop
    sheet = _text(client.get(_workshop_url(workshop, "lab:attendance")))
    assert 'src="data:image/svg+xml' in sheet
    assert f"?code={workshop.attendance_code}" in sheet
    printed = client.get(_workshop_url(workshop, "lab:attendance_print"))
    content = _text(printed)
    assert printed.status_code == 200
    assert "Anne Le Goff" in content and "Signature" in content
    assert workshop.attendance_code in content
    code_page = _text(client.get(f"{reverse('lab:attendance_code')}?code=K7PM3Q"))
    assert 'value="K7PM3Q"' in code_page


def test_a_walk_in_is_written_in(client):
    workshop = WorkshopFactory()
    client.force_login(user_with_role("lab_facilitator"))
    client.post(
        _workshop_url(workshop, "lab:attendance"),
        {"sans-inscription-name": "Yann", "sans-inscription-kind": ParticipantKind.MAKER},
    )
    attendance = Attendance.objects.get()
    assert (attendance.name, attendance.walk_in) == ("Yann", True)


def test_the_code_page_signs_a_participant_in(client):
    now = timezone.now()
    workshop = WorkshopFactory(
        attendance_code="K7PM3Q",
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
    )
    response = client.post(
        reverse("lab:attendance_code"),
        {"code": "k7pm3q", "name": "Anne", "kind": ParticipantKind.CITIZEN},
        follow=True,
    )
    assert "votre présence à" in _text(response)
    assert Attendance.objects.get().workshop == workshop
    wrong = client.post(
        reverse("lab:attendance_code"),
        {"code": "AAAAAA", "name": "Anne", "kind": ParticipantKind.CITIZEN},
    )
    assert "aucun atelier en cours" in _text(wrong)
    assert Attendance.objects.count() == 1


# Series and methods


def test_the_series_page_counts_the_cohort(client):
    series = SeriesFactory(title="Cycle numérique")
    first = WorkshopFactory(lab=series.lab, series=series, starts_at=in_days(-20))
    second = WorkshopFactory(lab=series.lab, series=series, starts_at=in_days(-10))
    for workshop, names in ((first, ["Anne", "Bleuenn"]), (second, ["anne ", "Corentin"])):
        for name in names:
            Attendance.objects.create(workshop=workshop, name=name, kind=ParticipantKind.CITIZEN)
    content = _text(client.get(reverse("lab:series", kwargs={"slug": series.slug})))
    assert "3 participants différents" in content
    assert "1 personne a suivi toutes les séances" in content


def test_the_method_library_lists_methods_with_their_how_to(client):
    method = MethodFactory(name="Personas", how_to="Décrire des usagers types.")
    assert "Personas" in _text(client.get(reverse("lab:methods")))
    page = _text(client.get(reverse("lab:method", kwargs={"slug": method.slug})))
    assert "Décrire des usagers types." in page


# Query counts do not grow with rows


def _many_workshops(n, lab):
    theme = ThemeFactory()
    for _i in range(n):
        workshop = WorkshopFactory(lab=lab, method=MethodFactory())
        workshop.themes.add(theme)
        RegistrationFactory(workshop=workshop)


def _queries(django_assert_max_num_queries, client, url, budget):
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_the_list_query_count_is_constant(client, django_assert_max_num_queries, rows):
    _many_workshops(rows, LabFactory())
    _queries(django_assert_max_num_queries, client, reverse("lab:workshops"), 8)


@pytest.mark.parametrize("rows", [2, 15])
def test_the_workshop_page_and_sheet_query_counts_are_constant(
    client, django_assert_max_num_queries, rows
):
    workshop = WorkshopFactory(capacity=100)
    facilitator = user_with_role("lab_facilitator")
    workshop.facilitators.add(facilitator)
    for _i in range(rows):
        registration = RegistrationFactory(workshop=workshop)
        Attendance.objects.create(
            workshop=workshop,
            registration=registration,
            name=registration.name,
            kind=ParticipantKind.CITIZEN,
        )
        DirectorateFactory()
    client.force_login(facilitator)
    _queries(django_assert_max_num_queries, client, _workshop_url(workshop), 16)
    _queries(django_assert_max_num_queries, client, _workshop_url(workshop, "lab:attendance"), 14)


@pytest.mark.parametrize("rows", [2, 10])
def test_the_series_and_calendar_query_counts_are_constant(
    client, django_assert_max_num_queries, rows
):
    series = SeriesFactory()
    for _i in range(rows):
        workshop = WorkshopFactory(lab=series.lab, series=series)
        Attendance.objects.create(workshop=workshop, name="Anne", kind=ParticipantKind.CITIZEN)
    _queries(
        django_assert_max_num_queries,
        client,
        reverse("lab:series", kwargs={"slug": series.slug}),
        6,
    )
    _queries(
        django_assert_max_num_queries,
        client,
        reverse("lab:lab_calendar", kwargs={"lab_slug": series.lab.slug}),
        4,
    )


# Calendars


def test_the_workshop_ics_parses_back_with_its_times_and_place(client):
    workshop = WorkshopFactory(
        title="Accès aux droits",
        starts_at=timezone.make_aware(datetime.datetime(2031, 3, 14, 9, 30)),
        ends_at=timezone.make_aware(datetime.datetime(2031, 3, 14, 12, 0)),
    )
    response = client.get(reverse("lab:workshop_ics", kwargs={"slug": workshop.slug}))
    assert response["Content-Type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Accès aux droits"
    assert event.decoded("DTSTART") == workshop.starts_at
    assert event.decoded("DTEND") == workshop.ends_at
    assert "Quimper" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(workshop.get_absolute_url())


def test_the_lab_feed_holds_its_published_workshops_only(client):
    lab = LabFactory()
    shown = [WorkshopFactory(lab=lab), WorkshopFactory(lab=lab, starts_at=in_days(30))]
    WorkshopFactory(lab=lab, published=False)
    WorkshopFactory()
    response = client.get(reverse("lab:lab_calendar", kwargs={"lab_slug": lab.slug}))
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == lab.name
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == sorted(
        w.title for w in shown
    )
    assert (
        client.get(reverse("lab:lab_calendar", kwargs={"lab_slug": "inconnu"})).status_code == 404
    )


# Outputs


def test_a_facilitator_publishes_a_file_that_everyone_downloads(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    workshop = WorkshopFactory()
    client.force_login(user_with_role("lab_facilitator"))
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"
    response = client.post(
        _workshop_url(workshop, "lab:workshop_file_add"),
        {"title": "Compte rendu", "file": SimpleUploadedFile("cr.bin", pdf)},
    )
    assert response.status_code == 302
    refused = client.post(
        _workshop_url(workshop, "lab:workshop_file_add"),
        {"title": "Outil", "file": SimpleUploadedFile("outil.pdf", b"MZ\x90\x00rest")},
    )
    assert "Ce fichier est un programme : il est refusé." in _text(refused)
    client.logout()
    page = _text(client.get(_workshop_url(workshop)))
    assert "Compte rendu" in page
    stored = workshop.files.get()
    download = client.get(
        reverse("lab:workshop_file", kwargs={"slug": workshop.slug, "pk": stored.pk})
    )
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    assert workshop.files.count() == 1


def test_the_sheet_lists_the_confirmed_before_the_waiting_list(client):
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop, name="Aaron", status=RegistrationStatus.WAITING)
    RegistrationFactory(workshop=workshop, name="Zoé")
    client.force_login(user_with_role("lab_facilitator"))
    content = _text(client.get(_workshop_url(workshop, "lab:attendance")))
    assert content.index("Zoé") < content.index("Aaron")
    assert "(liste d'attente)" in content


def test_a_workshop_is_cancelled_after_a_confirmation_step(client):
    workshop = WorkshopFactory(starts_at=in_days(7))
    RegistrationFactory(workshop=workshop, email="anne@ex.bzh")
    client.force_login(user_with_role("lab_facilitator"))
    page = _text(client.get(_workshop_url(workshop)))
    assert "Annuler l'atelier…" in page
    url = _workshop_url(workshop, "lab:workshop_cancel")
    asked_response = client.post(url, {"raison": "Salle <b>fermée</b>"})
    asked = _text(asked_response)
    assert "Oui, annuler l'atelier" in asked and "1 personne inscrite recevra" in asked
    assert "Salle &lt;b&gt;fermée&lt;/b&gt;" in asked_response.content.decode()
    assert Workshop.objects.get(pk=workshop.pk).cancelled_at is None
    done = client.post(url, {"raison": "Salle fermée", "confirmation": "1"}, follow=True)
    assert "Cet atelier est annulé." in _text(done)
    assert Workshop.objects.get(pk=workshop.pk).cancellation_reason == "Salle fermée"
    assert [m.to for m in mail.outbox if "Atelier annulé" in m.subject] == [["anne@ex.bzh"]]


def test_cancelling_a_workshop_is_refused_to_others(client):
    workshop = WorkshopFactory(starts_at=in_days(7))
    client.force_login(UserFactory())
    response = client.post(_workshop_url(workshop, "lab:workshop_cancel"), {"confirmation": "1"})
    assert response.status_code == 403
    assert Workshop.objects.get(pk=workshop.pk).cancelled_at is None


@pytest.mark.parametrize("typed", ["0001-01-01T09:30", "9999-12-31T09:30", "1999-12-31T09:30"])
def test_a_workshop_dated_out_of_bounds_is_refused_in_french(client, typed):
    """Issue 11, item 15: a workshop of year 1 broke the impact page on PostgreSQL."""
    lab = LabFactory()
    client.force_login(user_with_role("lab_facilitator"))
    response = client.post(
        reverse("lab:workshop_create"),
        {
            "lab": lab.pk,
            "title": "Atelier",
            "purpose": "Essayer",
            "starts_at": typed,
            "ends_at": "2030-01-01T12:00",
            "commune": "Quimper",
            "capacity": "10",
            "registration_mode": "public",
        },
    )
    assert response.status_code == 200
    assert "Indiquez une date entre 2000 et 2099." in _text(response)
    assert not Workshop.objects.exists()


def test_the_workshop_form_chooses_the_only_lab_and_asks_otherwise(client):
    from kenlabour.accounts.models import RoleAssignment

    first = LabFactory(name="Aa premier")
    LabFactory(name="Zz second")
    client.force_login(user_with_role("lab_facilitator"))  # every lab
    several = _text(client.get(reverse("lab:workshop_create")))
    assert '<option value="" selected>— choisir —</option>' in several
    only = UserFactory()
    RoleAssignment.objects.create(user=only, role="lab_facilitator", scope=first)
    client.force_login(only)
    one = _text(client.get(reverse("lab:workshop_create")))
    assert f'<option value="{first.pk}" selected>' in one and "— choisir —" not in one
