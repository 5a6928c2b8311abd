"""Workshops: registration, waiting list, cancellation, attendance, files, reminders."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from kenlabour.accounts.models import User
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.lab.enums import ParticipantKind, RegistrationMode, RegistrationStatus
from kenlabour.lab.models import Attendance, Registration, Workshop, WorkshopFile
from kenlabour.lab.services import workshops as services
from kenlabour.lab.services.attendance import mark_present, record_walk_in, sign_in_with_code
from kenlabour.lab.services.files import attach_file
from kenlabour.lab.tests.factories import (
    LabFactory,
    RegistrationFactory,
    WorkshopFactory,
    in_days,
)
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.models import LinkSource
from kenlabour.network.tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    PersonFactory,
    commune,
)

pytestmark = pytest.mark.django_db
SITE = "https://kenlabour.example/"
ANONYMOUS = type("Anonymous", (), {"is_authenticated": False, "pk": None})()


def _register(workshop, name, email=None, user=ANONYMOUS):
    email = email or f"{name.lower().replace(' ', '.')}@exemple.bzh"
    return services.register(user, workshop, name=name, email=email, site_url=SITE)


def _snapshot(workshop):
    return sorted(
        Registration.objects.filter(workshop=workshop).values_list("email", "status", "token")
    )


# Creating and editing


def _fields(lab, **overrides):
    fields = {
        "lab": lab,
        "title": "Parcours des demandeurs d'emploi",
        "purpose": "Cartographier le parcours.",
        "starts_at": in_days(10, 9),
        "ends_at": in_days(10, 12),
        "commune": commune("29232"),
        "address": "",
        "online_url": "",
        "capacity": 12,
        "registration_mode": RegistrationMode.PUBLIC,
    }
    return {**fields, **overrides}


def test_a_facilitator_creates_a_workshop_with_a_code_and_is_its_facilitator():
    facilitator = user_with_role("lab_facilitator")
    workshop = services.create_workshop(facilitator, fields=_fields(LabFactory()))
    assert workshop.slug.startswith("parcours-des-demandeurs-demploi-")
    assert len(workshop.attendance_code) == services.CODE_LENGTH
    assert list(workshop.facilitators.all()) == [facilitator]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": in_days(10, 8)}, "ends_at", "La fin de l'atelier doit être après son début."),
        ({"capacity": 0}, "capacity", "Un atelier a au moins une place"),
        ({"capacity": -3}, "capacity", "Un atelier a au moins une place"),
        ({"commune": None, "online_url": ""}, "commune", "une commune, un lien de visioconférence"),
    ],
)
def test_a_workshop_breaking_an_invariant_is_refused_and_nothing_is_written(
    overrides, field, message
):
    facilitator = user_with_role("lab_facilitator")
    with pytest.raises(ValidationError) as refusal:
        services.create_workshop(facilitator, fields=_fields(LabFactory(), **overrides))
    assert message in refusal.value.message_dict[field][0]
    assert not Workshop.objects.exists()


def test_only_facilitators_create_workshops():
    with pytest.raises(PermissionDenied):
        services.create_workshop(UserFactory(), fields=_fields(LabFactory()))
    assert not Workshop.objects.exists()


def test_a_facilitator_of_one_lab_cannot_create_in_another():
    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment

    own, other = LabFactory(), LabFactory()
    user = UserFactory()
    RoleAssignment.objects.create(
        user=user, role=Role.LAB_FACILITATOR, scope=own
    )  # scoped to one lab
    services.create_workshop(user, fields=_fields(own))
    with pytest.raises(PermissionDenied):
        services.create_workshop(user, fields=_fields(other))
    assert Workshop.objects.filter(lab=other).count() == 0


def test_raising_the_capacity_gives_the_new_seats_to_the_waiting_list_in_order():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory(capacity=1)
    _register(workshop, "Anne")
    second, third, _fourth = (_register(workshop, n) for n in ("Bleuenn", "Corentin", "Dewi"))
    services.update_workshop(facilitator, workshop, fields={"capacity": 3}, site_url=SITE)
    statuses = {r.name: r.status for r in Registration.objects.filter(workshop=workshop)}
    assert statuses == {
        "Anne": RegistrationStatus.CONFIRMED,
        "Bleuenn": RegistrationStatus.CONFIRMED,
        "Corentin": RegistrationStatus.CONFIRMED,
        "Dewi": RegistrationStatus.WAITING,
    }
    assert {second.email, third.email} <= {m.to[0] for m in mail.outbox if "libérée" in m.subject}


def test_the_capacity_cannot_drop_below_the_confirmed_seats():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory(capacity=3)
    for name in ("Anne", "Bleuenn"):
        _register(workshop, name)
    with pytest.raises(ValidationError) as refusal:
        services.update_workshop(facilitator, workshop, fields={"capacity": 1}, site_url=SITE)
    assert "2 personnes ont déjà une place confirmée" in refusal.value.message_dict["capacity"][0]
    workshop.refresh_from_db()
    assert workshop.capacity == 3


def test_only_the_workshops_facilitators_edit_it():
    workshop = WorkshopFactory()
    with pytest.raises(PermissionDenied):
        services.update_workshop(UserFactory(), workshop, fields={"title": "x"}, site_url=SITE)
    named = UserFactory()
    workshop.facilitators.add(named)
    services.update_workshop(
        named, workshop, fields={"title": "Nouveau titre"}, facilitators=[named], site_url=SITE
    )
    workshop.refresh_from_db()
    assert workshop.title == "Nouveau titre"


# Registration and the waiting list


def test_seats_are_confirmed_while_they_last_then_people_wait_in_order():
    workshop = WorkshopFactory(capacity=2)
    people = [_register(workshop, name) for name in ("Anne", "Bleuenn", "Corentin", "Dewi")]
    assert [p.status for p in people] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
        RegistrationStatus.WAITING,
    ]
    from kenlabour.lab.selectors.workshops import waiting_position

    assert [waiting_position(p) for p in people] == [None, None, 1, 2]


def test_a_cancellation_gives_the_seat_to_the_first_in_line_who_is_told():
    workshop = WorkshopFactory(capacity=2)
    anne, _bleuenn, corentin, dewi = (
        _register(workshop, name) for name in ("Anne", "Bleuenn", "Corentin", "Dewi")
    )
    mail.outbox.clear()
    cancelled, promoted = services.cancel_registration(anne.token, site_url=SITE)
    assert cancelled.status == RegistrationStatus.CANCELLED
    assert [p.pk for p in promoted] == [corentin.pk]
    corentin.refresh_from_db()
    dewi.refresh_from_db()
    assert corentin.status == RegistrationStatus.CONFIRMED
    assert dewi.status == RegistrationStatus.WAITING
    from kenlabour.lab.selectors.workshops import waiting_position

    assert waiting_position(dewi) == 1
    told = {message.to[0]: message for message in mail.outbox}
    assert "Une place s'est libérée" in told[corentin.email].subject
    assert "annulée" in told[anne.email].subject
    assert dewi.email not in told


def test_cancelling_a_waiting_registration_promotes_nobody():
    workshop = WorkshopFactory(capacity=1)
    _register(workshop, "Anne")
    waiting = _register(workshop, "Bleuenn")
    third = _register(workshop, "Corentin")
    _cancelled, promoted = services.cancel_registration(waiting.token, site_url=SITE)
    assert promoted == []
    third.refresh_from_db()
    assert third.status == RegistrationStatus.WAITING


def test_registering_twice_is_refused_with_a_message_and_nothing_changes():
    workshop = WorkshopFactory(capacity=1)
    _register(workshop, "Anne", "anne@exemple.bzh")
    _register(workshop, "Bleuenn", "bleuenn@exemple.bzh")
    before = _snapshot(workshop)
    mail.outbox.clear()
    with pytest.raises(ValidationError) as confirmed_twice:
        _register(workshop, "Anne encore", "ANNE@exemple.bzh ")
    with pytest.raises(ValidationError) as waiting_twice:
        _register(workshop, "Bleuenn", "bleuenn@exemple.bzh")
    assert "anne@exemple.bzh a déjà une place à cet atelier" in confirmed_twice.value.messages[0]
    assert "déjà sur la liste d'attente" in waiting_twice.value.messages[0]
    assert _snapshot(workshop) == before
    assert mail.outbox == []


def test_someone_who_cancelled_may_register_again_at_the_back_of_the_line():
    workshop = WorkshopFactory(capacity=1)
    anne = _register(workshop, "Anne")
    services.cancel_registration(anne.token, site_url=SITE)
    _register(workshop, "Bleuenn")
    again = _register(workshop, "Anne")
    assert again.pk == anne.pk
    assert again.status == RegistrationStatus.WAITING
    assert again.token != anne.token


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"registration_closed": True}, "Les inscriptions à cet atelier sont closes."),
        (
            {"starts_at": in_days(-1, 9), "ends_at": in_days(1, 9)},
            "L'atelier a déjà commencé",
        ),
    ],
)
def test_a_closed_workshop_refuses_registrations_and_nothing_changes(overrides, message):
    workshop = WorkshopFactory(**overrides)
    with pytest.raises(ValidationError) as refusal:
        _register(workshop, "Anne")
    assert message in refusal.value.messages[0]
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_an_invitation_only_workshop_takes_only_those_its_facilitators_register():
    workshop = WorkshopFactory(registration_mode=RegistrationMode.INVITATION)
    with pytest.raises(ValidationError) as refusal:
        _register(workshop, "Anne")
    assert "sur invitation" in refusal.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.register(
            UserFactory(), workshop, name="Anne", email="a@exemple.bzh", site_url=SITE, invited=True
        )
    facilitator = user_with_role("lab_facilitator")
    invited = services.register(
        facilitator, workshop, name="Anne", email="a@exemple.bzh", site_url=SITE, invited=True
    )
    assert invited.status == RegistrationStatus.CONFIRMED
    assert invited.user is None, "the facilitator registered someone else, not themself"


def test_a_logged_in_person_registers_with_their_account_and_gets_a_confirmation():
    person = UserFactory(email="gwen@exemple.bzh", display_name="Gwen Le Bihan")
    workshop = WorkshopFactory()
    registration = _register(workshop, "Gwen Le Bihan", "gwen@exemple.bzh", user=person)
    assert registration.user == person
    [message] = mail.outbox
    assert message.to == ["gwen@exemple.bzh"]
    assert "Place confirmée" in message.subject
    assert f"{SITE.rstrip('/')}/labo/inscription/{registration.token}/" in message.body


def test_the_last_seat_goes_to_one_person_only():
    """Sequential here (SQLite serialises writes); the lock on the workshop row makes the
    same true of concurrent requests on PostgreSQL."""
    workshop = WorkshopFactory(capacity=1)
    first, second = _register(workshop, "Anne"), _register(workshop, "Bleuenn")
    assert (first.status, second.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    )


def test_a_cancelled_registration_cannot_be_cancelled_again():
    registration = _register(WorkshopFactory(), "Anne")
    services.cancel_registration(registration.token, site_url=SITE)
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.cancel_registration(registration.token, site_url=SITE)


# Reminders


def test_reminders_go_once_to_confirmed_people_of_workshops_within_48_hours():
    soon = WorkshopFactory(starts_at=timezone.now() + datetime.timedelta(hours=30))
    soon.ends_at = soon.starts_at + datetime.timedelta(hours=2)
    soon.save()
    later = WorkshopFactory(starts_at=in_days(5))
    confirmed = RegistrationFactory(workshop=soon)
    RegistrationFactory(workshop=soon, status=RegistrationStatus.WAITING)
    RegistrationFactory(workshop=soon, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(workshop=later)
    call_command("send_workshop_reminders", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[confirmed.email]]
    assert "Rappel" in mail.outbox[0].subject
    call_command("send_workshop_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1, "a second run sends nothing twice"
    confirmed.refresh_from_db()
    assert confirmed.reminder_sent_at is not None


# Attendance


def _agent(organisation, directorate=None, **kwargs):
    """A logged-in public agent who is a network actor."""
    from kenlabour.network.models import Profile

    user = UserFactory(**kwargs)
    person = PersonFactory(user=user)
    Profile.objects.create(
        person=person, kind="public_agent", organisation=organisation, directorate=directorate
    )
    return user, person


def test_attendance_feeds_the_acquaintance_graph_with_people_and_organisations():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory(title="Dématérialisation du RSA")
    dreets = DirectorateFactory(name="DREETS")
    caf = OrganisationFactory(name="CAF du Finistère")
    user_a, person_a = _agent(dreets.organisation, dreets)
    user_b, person_b = _agent(caf)
    reg_a = _register(workshop, "Agent A", user_a.email, user=user_a)
    reg_b = _register(workshop, "Agent B", user_b.email, user=user_b)
    mark_present(
        facilitator,
        reg_a,
        kind=ParticipantKind.PUBLIC_AGENT,
        organisation=dreets.organisation,
        directorate=dreets,
    )
    mark_present(facilitator, reg_b, kind=ParticipantKind.PUBLIC_AGENT, organisation=caf)
    sources = LinkSource.objects.filter(
        kind=LinkSourceKind.WORKSHOP, reference=f"atelier-{workshop.pk}"
    ).select_related("link")
    pairs = {frozenset((s.link.actor_a_id, s.link.actor_b_id)) for s in sources}
    actors = [person_a.pk, person_b.pk, dreets.organisation_id, caf.pk]
    expected = {frozenset((a, b)) for i, a in enumerate(actors) for b in actors[i + 1 :]}
    assert pairs == expected
    assert {s.label for s in sources} == {"Dématérialisation du RSA"}
    assert {s.date for s in sources} == {timezone.localtime(workshop.starts_at).date()}
    attendance = Attendance.objects.get(registration=reg_a)
    assert attendance.person == person_a


def test_a_person_is_marked_present_once():
    facilitator = user_with_role("lab_facilitator")
    registration = _register(WorkshopFactory(), "Anne")
    mark_present(facilitator, registration, kind=ParticipantKind.CITIZEN)
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        mark_present(facilitator, registration, kind=ParticipantKind.MAKER)
    assert Attendance.objects.get().kind == ParticipantKind.CITIZEN


def test_a_public_agent_needs_an_organisation_and_a_directorate_of_it():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory()
    with pytest.raises(ValidationError) as no_organisation:
        record_walk_in(facilitator, workshop, name="Anne", kind=ParticipantKind.PUBLIC_AGENT)
    assert "organisation" in no_organisation.value.message_dict
    other = DirectorateFactory()
    with pytest.raises(ValidationError) as wrong_directorate:
        record_walk_in(
            facilitator,
            workshop,
            name="Anne",
            kind=ParticipantKind.PUBLIC_AGENT,
            organisation=OrganisationFactory(),
            directorate=other,
        )
    assert "directorate" in wrong_directorate.value.message_dict
    assert not Attendance.objects.exists()


def test_only_facilitators_take_attendance():
    registration = _register(WorkshopFactory(), "Anne")
    with pytest.raises(PermissionDenied):
        mark_present(UserFactory(), registration, kind=ParticipantKind.CITIZEN)
    with pytest.raises(PermissionDenied):
        record_walk_in(UserFactory(), registration.workshop, name="X", kind=ParticipantKind.CITIZEN)
    assert not Attendance.objects.exists()


def test_walk_ins_are_recorded_as_such():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory()
    record_walk_in(facilitator, workshop, name="Yann", kind=ParticipantKind.ELECTED)
    attendance = Attendance.objects.get()
    assert (attendance.walk_in, attendance.kind, attendance.registration) == (
        True,
        ParticipantKind.ELECTED,
        None,
    )


def _ongoing(**kwargs):
    now = timezone.now()
    return WorkshopFactory(
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=2),
        **kwargs,
    )


def test_a_participant_signs_in_with_the_code_and_their_registration_is_found():
    workshop = _ongoing(attendance_code="K7PM3Q")
    registration = _register_now(workshop, "Anne", "anne@exemple.bzh")
    attendance = sign_in_with_code(
        ANONYMOUS,
        code=" k7pm3q ",
        name="Anne",
        email="Anne@exemple.bzh",
        kind=ParticipantKind.CITIZEN,
    )
    assert attendance.workshop == workshop
    assert attendance.registration == registration
    assert attendance.walk_in is False


def _register_now(workshop, name, email):
    """Registration of a workshop already started (made directly: the service refuses it)."""
    return RegistrationFactory(workshop=workshop, name=name, email=email)


def test_a_wrong_or_expired_code_is_refused_at_the_field():
    _ongoing(attendance_code="K7PM3Q")
    WorkshopFactory(attendance_code="OLD234", starts_at=in_days(-3, 9), ends_at=in_days(-3, 12))
    for code in ("ZZZZZZ", "OLD234"):
        with pytest.raises(ValidationError) as refusal:
            sign_in_with_code(
                ANONYMOUS, code=code, name="Anne", email="", kind=ParticipantKind.CITIZEN
            )
        assert "aucun atelier en cours" in refusal.value.message_dict["code"][0]
    assert not Attendance.objects.exists()


def test_a_logged_in_actor_signing_in_with_the_code_feeds_the_graph():
    workshop = _ongoing(attendance_code="K7PM3Q")
    caf = OrganisationFactory()
    user, person = _agent(caf)
    sign_in_with_code(
        user,
        code="K7PM3Q",
        name=str(user),
        email="",
        kind=ParticipantKind.PUBLIC_AGENT,
        organisation=caf,
    )
    assert LinkSource.objects.filter(reference=f"atelier-{workshop.pk}").count() == 1
    assert Attendance.objects.get().person == person


# Files


def _odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_file_is_stored_under_the_kind_its_content_shows(media_root):
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory()
    upload = SimpleUploadedFile("synthese.exe", _odt_bytes())  # the name lies, not the content
    stored = attach_file(facilitator, workshop, title="Synthèse", upload=upload)
    assert stored.file.name.endswith("synthese.odt")
    assert (media_root / stored.file.name).read_bytes() == _odt_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "programme"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "programme"),
        (b"just some text pretending to be a PDF", "format accepté"),
    ],
)
def test_programs_and_unknown_contents_are_refused_whatever_their_name(
    media_root, content, message
):
    facilitator = user_with_role("lab_facilitator")
    upload = SimpleUploadedFile("compte-rendu.pdf", content)
    with pytest.raises(ValidationError) as refusal:
        attach_file(facilitator, WorkshopFactory(), title="CR", upload=upload)
    assert message in refusal.value.message_dict["file"][0]
    assert not WorkshopFile.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_a_file_too_large_is_refused(media_root, monkeypatch):
    monkeypatch.setattr("kenlabour.lab.filetypes.MAX_SIZE", 10)
    facilitator = user_with_role("lab_facilitator")
    upload = SimpleUploadedFile("cr.pdf", b"%PDF-1.7 and more than ten bytes")
    with pytest.raises(ValidationError, match="pèse plus de"):
        attach_file(facilitator, WorkshopFactory(), title="CR", upload=upload)


def test_only_facilitators_attach_files(media_root):
    upload = SimpleUploadedFile("cr.pdf", b"%PDF-1.7")
    with pytest.raises(PermissionDenied):
        attach_file(UserFactory(), WorkshopFactory(), title="CR", upload=upload)


def test_users_are_not_created_by_registering():
    _register(WorkshopFactory(), "Anne")
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_last_seat_at_once_confirm_only_one():
    """Real concurrency needs PostgreSQL (SQLite serialises writes by itself)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    workshop = WorkshopFactory(capacity=1)
    barrier = threading.Barrier(4)
    errors = []

    def ask(n):
        try:
            barrier.wait()
            _register(workshop, f"Personne {n}")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.CONFIRMED) == 1
    assert statuses.count(RegistrationStatus.WAITING) == 3
