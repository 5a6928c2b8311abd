"""The audit log: each sensitive action is recorded with the action (and only if the action
is done), logins from a new device are noticed, platform admins read and filter the log a
page at a time, and events past their retention are purged."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts import services as account_services
from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from kenlabour.audit import services, tasks
from kenlabour.audit.enums import AuditAction
from kenlabour.audit.models import AuditEvent
from kenlabour.network import columns
from kenlabour.network.enums import ModerationStatus
from kenlabour.network.services import contributions as contribution_services
from kenlabour.network.services import imports as import_services
from kenlabour.network.spreadsheet import read_table
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import PendingCollectiveFactory, PersonFactory, facilitator

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_granting_and_removing_a_role_is_recorded_with_who_and_whom():
    admin, person = user_with_role(Role.PLATFORM_ADMIN), UserFactory()

    account_services.assign_role(admin, person, Role.FUNDER)
    account_services.assign_role(admin, person, Role.FUNDER)  # already held: nothing new
    account_services.revoke_role(admin, person, Role.FUNDER)

    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [AuditAction.ROLE_GRANTED, AuditAction.ROLE_REVOKED]
    assert all(e.actor == admin and e.subject == person for e in events)
    assert events[0].summary == str(Role.FUNDER.label)


def test_registering_an_organisation_records_the_role_its_registrant_gets():
    from kenlabour.network.enums import ActorKind, OrganisationKind
    from kenlabour.network.tests.factories import commune

    user = UserFactory()
    actor = contribution_services.register_actor(
        user,
        fields={
            "kind": ActorKind.ORGANISATION,
            "organisation_kind": OrganisationKind.ASSOCIATION,
            "name": "Tissage solidaire",
            "commune": commune("56121"),
        },
    )

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.ROLE_GRANTED and event.subject == user
    assert (event.target_type, event.target_id) == ("network.actor", actor.pk)


def test_a_refused_action_leaves_no_record():
    with pytest.raises(PermissionDenied):
        account_services.assign_role(UserFactory(), UserFactory(), Role.FUNDER)
    with pytest.raises(ValueError):
        contribution_services.reject_actor(facilitator(), PendingCollectiveFactory(), reason=" ")
    assert actions() == []


def test_moderation_import_and_consent_are_recorded():
    moderator = facilitator()
    published, refused = PendingCollectiveFactory(), PendingCollectiveFactory()
    contribution_services.publish_actor(moderator, published)
    contribution_services.reject_actor(moderator, refused, reason="Doublon")
    table = read_table(
        files.csv_bytes([files.organisation("Fablab"), files.collective("Couture")]),
        known_columns=columns.COLUMNS,
    )
    import_services.import_actors(moderator, table)
    user = UserFactory()
    person = PersonFactory(user=user, public_consent=True)
    contribution_services.update_actor(user, person, fields={"public_consent": False})

    assert actions() == [
        AuditAction.ACTOR_PUBLISHED,
        AuditAction.ACTOR_REJECTED,
        AuditAction.ACTORS_IMPORTED,
        AuditAction.CONSENT_CHANGED,
    ]
    rejected = AuditEvent.objects.get(action=AuditAction.ACTOR_REJECTED)
    assert (rejected.target_type, rejected.target_id) == ("network.actor", refused.pk)
    assert "Doublon" in rejected.summary
    assert "2" in AuditEvent.objects.get(action=AuditAction.ACTORS_IMPORTED).summary
    consent = AuditEvent.objects.get(action=AuditAction.CONSENT_CHANGED)
    assert consent.subject == user and consent.target_id == person.pk
    assert refused.__class__.objects.get(pk=refused.pk).status == ModerationStatus.REJECTED


def test_a_login_from_a_new_device_is_recorded_once(client):
    user = UserFactory()
    login = reverse("accounts:login")
    form = {"username": user.email, "password": PASSWORD}
    phone = {"HTTP_USER_AGENT": "Mozilla/5.0 (Android 14) Firefox/140", "REMOTE_ADDR": "10.0.0.1"}

    for _attempt in range(2):
        assert client.post(login, form, **phone).status_code == 302
        client.logout()
    client.post(login, form, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Chromium/140")

    events = AuditEvent.objects.filter(action=AuditAction.LOGIN_NEW_DEVICE, subject=user)
    assert events.count() == 2
    # The address is never stored, only a keyed hash of it with the browser.
    assert all("10.0.0.1" not in e.device + e.summary for e in events)


def test_only_platform_admins_read_the_log(client):
    client.force_login(user_with_role(Role.LAB_FACILITATOR))
    assert client.get(reverse("audit:log")).status_code == 403
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    response = client.get(reverse("accounts:account"))
    assert reverse("audit:log") in response.content.decode()
    assert client.get(reverse("audit:log")).status_code == 200


def _event(action, actor, days_ago, **kwargs):
    event = services.record(action, actor=actor, subject=actor, **kwargs)
    event.created_at = timezone.now() - datetime.timedelta(days=days_ago)
    event.save(update_fields=["created_at"])
    return event


def test_the_log_filters_by_action_person_and_period(client):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    anne = UserFactory(email="anne.le.goff@exemple.bzh")
    yann = UserFactory(email="yann@exemple.bzh")
    recent = _event(AuditAction.PERSONAL_DATA_EXPORTED, anne, 1, summary="JSON-ANNE")
    _event(AuditAction.PERSONAL_DATA_EXPORTED, yann, 1, summary="JSON-YANN")
    _event(AuditAction.CONSENT_CHANGED, anne, 1, summary="CONSENT-ANNE")
    _event(AuditAction.PERSONAL_DATA_EXPORTED, anne, 40, summary="JSON-OLD")
    client.force_login(admin)
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()

    page = client.get(
        reverse("audit:log"),
        {"action": "personal_data_exported", "person": "le.goff", "since": since},
    ).content.decode()

    assert recent.summary in page
    assert "JSON-YANN" not in page and "CONSENT-ANNE" not in page and "JSON-OLD" not in page


def test_the_log_refuses_dates_out_of_bounds_at_the_field(client):
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    response = client.get(reverse("audit:log"), {"since": "0001-01-01", "until": "2020-01-01"})
    assert response.status_code == 200
    assert "Indiquez une date entre 2000 et 2099." in response.content.decode()
    response = client.get(reverse("audit:log"), {"since": "2021-01-01", "until": "2020-01-01"})
    assert "La fin de la période doit suivre son début." in response.content.decode()


def test_the_log_is_paginated_with_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    people = [UserFactory() for _ in range(5)]
    for n in range(120):
        services.record(AuditAction.CONSENT_CHANGED, actor=admin, subject=people[n % 5])
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        first = client.get(reverse("audit:log"))
    assert first.context["page_obj"].paginator.num_pages == 3
    assert len(first.context["page_obj"].object_list) == 50
    with django_assert_max_num_queries(8):
        last = client.get(reverse("audit:log"), {"page": 3})
    # 120 events, and the admin's login from the test client (a new device).
    assert len(last.context["page_obj"].object_list) == AuditEvent.objects.count() - 100 == 21


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_events_past_their_retention_are_purged_by_the_command_and_the_task():
    user = UserFactory()
    old = _event(AuditAction.CONSENT_CHANGED, user, 31)
    kept = _event(AuditAction.CONSENT_CHANGED, user, 29)
    out = io.StringIO()

    call_command("purge_audit", stdout=out)

    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "1 événement" in out.getvalue()
    assert old.pk not in AuditEvent.objects.values_list("pk", flat=True)
    _event(AuditAction.CONSENT_CHANGED, user, 45)
    assert tasks.purge_audit.enqueue().return_value == 1


# --- what the admin and the exports do is kept too ------------------------------------------


def _admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def test_a_role_given_changed_and_removed_in_the_admin_is_recorded(client):
    admin, person = _admin(client), UserFactory()
    add = reverse("admin:accounts_roleassignment_add")
    form = {"user": person.pk, "role": Role.FUNDER, "scope_type": "", "scope_id": ""}
    assert client.post(add, form).status_code == 302
    row = person.role_assignments.get()
    change = reverse("admin:accounts_roleassignment_change", args=[row.pk])
    assert client.post(change, {**form, "role": Role.RELAY_TREASURER}).status_code == 302
    delete = reverse("admin:accounts_roleassignment_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    events = AuditEvent.objects.exclude(action=AuditAction.LOGIN_NEW_DEVICE).order_by("pk")
    assert [(e.action, e.actor, e.subject, e.summary) for e in events] == [
        (AuditAction.ROLE_GRANTED, admin, person, str(Role.FUNDER.label)),
        (AuditAction.ROLE_REVOKED, admin, person, str(Role.FUNDER.label)),
        (AuditAction.ROLE_GRANTED, admin, person, str(Role.RELAY_TREASURER.label)),
        (AuditAction.ROLE_REVOKED, admin, person, str(Role.RELAY_TREASURER.label)),
    ]


def test_roles_and_flags_changed_on_the_admins_user_page_are_recorded(client):
    admin, person = _admin(client), UserFactory()
    page = reverse("admin:accounts_user_change", args=[person.pk])
    form = {
        "email": person.email,
        "display_name": person.display_name,
        "is_active": "on",
        "is_superuser": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2020-04-01",
        "date_joined_1": "10:00:00",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": Role.PLATFORM_ADMIN,
        "role_assignments-0-scope_type": "",
        "role_assignments-0-scope_id": "",
        "role_assignments-0-user": person.pk,
    }
    response = client.post(page, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.is_superuser and person.role_assignments.get().role == Role.PLATFORM_ADMIN
    events = AuditEvent.objects.filter(actor=admin).exclude(action=AuditAction.LOGIN_NEW_DEVICE)
    recorded = {(e.action, e.summary) for e in events}
    assert recorded == {
        (AuditAction.ROLE_GRANTED, "Superutilisateur"),
        (AuditAction.ROLE_GRANTED, str(Role.PLATFORM_ADMIN.label)),
    }


def test_a_signed_in_export_of_the_directory_is_recorded_an_anonymous_one_is_not(client):
    PersonFactory(name="Annaig Le Goff")
    assert client.get(reverse("network:export_csv"), {"q": "Annaig"}).status_code == 200
    assert not AuditEvent.objects.exists()
    person = facilitator()
    client.force_login(person)
    response = client.get(reverse("network:export_xlsx"), {"q": "Annaig"})
    assert response.status_code == 200
    event = AuditEvent.objects.exclude(action=AuditAction.LOGIN_NEW_DEVICE).get()
    assert (event.action, event.actor) == (AuditAction.PERSONAL_DATA_EXPORTED, person)
    assert event.summary == "Annuaire des acteurs (XLSX) — q=Annaig"


def test_staff_reach_the_admin_from_their_account_page_others_do_not_see_it(client):
    client.force_login(user_with_role(Role.RELAY_TREASURER))
    assert reverse("admin:index") not in client.get(reverse("accounts:account")).content.decode()
    _admin(client)
    assert reverse("admin:index") in client.get(reverse("accounts:account")).content.decode()
