"""A person's rights: the download holds every record about them (in JSON and in a PDF),
consent is withdrawn, erasure anonymises what money needs and deletes the rest, and the
ledger still verifies after it."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.accounts.tests.factories import PASSWORD, UserFactory
from kenlabour.audit.enums import AuditAction
from kenlabour.audit.models import AuditEvent
from kenlabour.funding.models import Claim, LedgerEntry
from kenlabour.funding.services import ledger, money
from kenlabour.funding.statements import document_text
from kenlabour.funding.tests.pages_money import approved_claim, money_world
from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.models import Attendance, Registration
from kenlabour.lab.tests.factories import AttendanceFactory, RegistrationFactory, WorkshopFactory
from kenlabour.mobilisation.models import MaterialOffer
from kenlabour.mobilisation.tests.factories import (
    CapacityFactory,
    MaterialOfferFactory,
    NeedFactory,
    ProductionFactory,
)
from kenlabour.network.models import Membership, Profile, Resource
from kenlabour.network.tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProfileFactory,
    ResourceFactory,
)
from kenlabour.privacy import documents, policy, selectors

pytestmark = pytest.mark.django_db


def person_everywhere():
    """A maker with data in every app: an account with a role, a public person page with a
    resource, a profile and a membership; a registration and its attendance, and a walk-in
    attendance; a capacity, a production, a need, a material offer; a paid claim."""
    user = UserFactory(display_name="Katell Le Roux")
    RoleAssignment.objects.create(user=user, role=Role.FUNDER)
    person = PersonFactory(user=user, name="Katell Le Roux", email="katell@exemple.bzh")
    held = {
        "accounts.user": [user.pk],
        "accounts.roleassignment.user": list(user.role_assignments.values_list("pk", flat=True)),
        "network.actor.user": [person.pk],
        "network.resource.actor": [ResourceFactory(actor=person).pk],
        "network.profile.person": [ProfileFactory(person=person, kind="maker").pk],
        "network.membership.person": [MembershipFactory(person=person).pk],
    }
    workshop = WorkshopFactory()
    registration = RegistrationFactory(
        workshop=workshop, user=user, name="Katell Le Roux", email=user.email
    )
    attended = AttendanceFactory(
        workshop=workshop,
        registration=registration,
        name="Katell Le Roux",
        kind=ParticipantKind.CITIZEN,
        walk_in=False,
    )
    walk_in = AttendanceFactory(person=person, name="Katell Le Roux")
    held["lab.registration.user"] = [registration.pk]
    held["lab.attendance.registration__user"] = [attended.pk]
    held["lab.attendance.person"] = [walk_in.pk]
    held["mobilisation.capacity.producer"] = [CapacityFactory(producer=person).pk]
    held["mobilisation.production.producer"] = [ProductionFactory(producer=person).pk]
    held["mobilisation.need.requester"] = [
        NeedFactory(requester=person, contact_name="Katell Le Roux").pk
    ]
    held["mobilisation.materialoffer.actor"] = [MaterialOfferFactory(actor=person).pk]
    w = money_world(asks=())
    claim = approved_claim(w, 120_000, claimant=person)
    money.allocate(w.funder_user, w.envelope)
    money.pay_claim(
        w.treasurer_user,
        Claim.objects.get(pk=claim.pk),
        date=timezone.localdate() - datetime.timedelta(days=1),
        bank_reference="VIR-ERASE-1",
    )
    held["funding.claim.claimant"] = [claim.pk]
    return user, person, claim, held


def download(client, export_format):
    response = client.post(reverse("privacy:export"), {"export_format": export_format})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_every_reference_to_a_person_has_an_erasure_rule():
    """Walks every model: a new model pointing at an account or an actor must say what
    erasure does to it, and a rule for a field that no longer exists is stale."""
    keys = {reference.key for reference in selectors.references()}
    assert keys - set(policy.ERASURE) == set(), "models holding personal data with no rule"
    assert set(policy.ERASURE) - keys == set(), "rules for references that no longer exist"
    assert set(policy.SCRUBBED) == {k for k, rule in policy.ERASURE.items() if rule == "scrub"}
    # Every model with a foreign key to the account is walked.
    from django.apps import apps

    pointing = {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model is User
    }
    assert pointing <= keys


def test_the_json_download_lists_every_record_held_about_the_person(client):
    user, _person, _claim, held = person_everywhere()
    client.force_login(user)

    response = download(client, "json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    found = {section["key"]: {r["id"] for r in section["records"]} for section in data["sections"]}
    for key, pks in held.items():
        assert set(pks) <= found.get(key, set()), f"{key} missing from the download"
    # The download itself is in the audit log, and no secret is in it.
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_EXPORTED, subject=user
    ).exists()
    names = {f["name"] for s in data["sections"] for r in s["records"] for f in r["fields"]}
    assert not names & {"password", "token"}


def test_the_pdf_download_reads_every_record(client):
    user, _person, _claim, held = person_everywhere()
    client.force_login(user)

    response = download(client, "pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    from weasyprint import HTML

    document = HTML(string=documents.as_html(selectors.personal_data(user))).render()
    text = " ".join(document_text(document).split())
    assert user.email in text
    models = {reference.key: reference.model for reference in selectors.references()}
    models["accounts.user"] = User
    for key, pks in held.items():
        for record in models[key].objects.filter(pk__in=pks):
            heading = " ".join(f"{record} (n° {record.pk})".split())
            assert heading in text, f"{key} {record.pk} not in the PDF"


def test_a_download_link_serves_only_its_account_and_expires(client):
    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    response = client.post(reverse("privacy:export"), {"export_format": "json"})
    link = response["Location"]
    client.force_login(other)
    refused = client.get(link, follow=True)
    assert refused.redirect_chain[-1][0].startswith(reverse("accounts:account"))
    assert "expiré" in refused.content.decode()
    bad = client.post(reverse("privacy:export"), {"export_format": "xml"})
    assert bad.status_code == 400
    assert "Choisissez le format JSON ou PDF." in bad.content.decode()


def test_withdrawing_consent_makes_the_page_private_and_is_audited(client):
    user = UserFactory()
    person = PersonFactory(user=user, public_consent=True)
    client.force_login(user)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("privacy:withdraw_consent") in page

    client.post(reverse("privacy:withdraw_consent"))

    person.refresh_from_db()
    assert not person.public_consent and not person.is_public
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_CHANGED)
    assert event.subject == user and event.target_id == person.pk


def test_erasure_asks_for_confirmation_first(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("privacy:erase"))

    assert response.status_code == 200
    assert "web/confirm.html" in [t.name for t in response.templates]
    user.refresh_from_db()
    assert user.is_active and user.email.endswith("@exemple.bzh")


def test_erasure_anonymises_what_money_needs_deletes_the_rest_and_the_ledger_verifies(client):
    user, person, claim, held = person_everywhere()
    head = LedgerEntry.objects.order_by("-position").first().hash
    email = user.email
    client.force_login(user)

    response = client.post(reverse("privacy:erase"), {"confirmation": "1"})

    assert response.status_code == 302
    user.refresh_from_db()
    person.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert "Katell" not in user.email + user.display_name
    assert person.name == policy.ANONYMOUS_NAME and not person.email and person.user is None
    assert not person.is_public
    # The paid claim stays, its person anonymous; the ledger verifies, its head unchanged.
    claim.refresh_from_db()
    assert claim.claimant_id == person.pk and claim.transfers.exists()
    assert ledger.broken_positions() == []
    assert LedgerEntry.objects.order_by("-position").first().hash == head
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    # The rest is deleted or scrubbed.
    assert not Registration.objects.filter(pk__in=held["lab.registration.user"]).exists()
    assert not RoleAssignment.objects.filter(user=user).exists()
    for model, key in (
        (Resource, "network.resource.actor"),
        (Profile, "network.profile.person"),
        (Membership, "network.membership.person"),
        (MaterialOffer, "mobilisation.materialoffer.actor"),
    ):
        assert not model.objects.filter(pk__in=held[key]).exists(), key
    attendances = Attendance.objects.filter(
        pk__in=held["lab.attendance.person"] + held["lab.attendance.registration__user"]
    )
    assert {a.name for a in attendances} == {policy.ANONYMOUS_NAME}
    assert len(attendances) == 2  # the impact figures keep their attendance
    # Nothing left names her, and she can no longer log in.
    assert "Katell" not in json.dumps(selectors.personal_data(user), default=str)
    assert email not in json.dumps(selectors.personal_data(user), default=str)
    login = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE, subject=user).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_NEW_DEVICE, subject=user)


def test_the_download_reads_a_fixed_number_of_queries_whatever_the_rows(
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, person, _claim, _held = person_everywhere()
    with CaptureQueriesContext(connection) as few:
        selectors.personal_data(user)
    for _n in range(5):
        RegistrationFactory(user=user, email=user.email)
        AttendanceFactory(person=person)
        NeedFactory(requester=person)
    with django_assert_max_num_queries(len(few)):
        selectors.personal_data(user)


def test_the_download_lists_the_second_factor_but_never_its_secret(client):
    import base64
    import binascii

    import pyotp

    from kenlabour.accounts import services as account_services

    user = UserFactory()
    secret = account_services.new_totp_secret()
    code = pyotp.TOTP(base64.b32encode(binascii.unhexlify(secret))).now()
    recovery = account_services.enrol_totp(user, secret, code)
    client.force_login(user)
    for export_format in ("json", "pdf"):
        response = download(client, export_format)
        assert response.status_code == 200
        content = response.content
        assert secret.encode() not in content.lower()
        assert base64.b32encode(binascii.unhexlify(secret)) not in content
        assert not any(c.encode() in content for c in recovery)
    data = json.loads(download(client, "json").content)
    devices = [s for s in data["sections"] if s["key"].startswith("otp_totp.")]
    assert devices, "the authentication application is listed"
    names = {f["name"] for s in devices for r in s["records"] for f in r["fields"]}
    assert "name" in names and "key" not in names
