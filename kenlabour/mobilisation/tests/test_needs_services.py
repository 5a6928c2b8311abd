"""Needs: submission without an account, verification by coordinators, confirmation of
deliveries by the requester, discrepancies. Every refusal changes nothing."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, RequesterKind, Urgency
from kenlabour.mobilisation.models import Delivery, Need
from kenlabour.mobilisation.services import needs as services
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    coordinator,
)
from kenlabour.mobilisation.tests.pages_needs import declared, received
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import FablabFactory, OrganisationFactory, commune
from kenlabour.territories.geo import normalise

pytestmark = pytest.mark.django_db
SITE = "https://kenlabour.example/"


def today():
    return timezone.localdate()


@pytest.fixture
def item():
    return ItemTypeFactory(name="Visière")


def _fields(item, **overrides):
    fields = {
        "item_type": item,
        "quantity": 200,
        "requester_name": "  EHPAD Les Glycines ",
        "requester_kind": RequesterKind.NURSING_HOME,
        "contact_name": "Annaïg Le Floc'h",
        "contact_email": "Annaig@Glycines.example",
        "contact_phone": "02 98 00 00 00",
        "commune": commune("29019"),  # Brest
        "address": "3 rue des Glycines",
        "deadline": today() + datetime.timedelta(days=3),
        "urgency": Urgency.URGENT,
        "note": "Taille adulte.",
    }
    return {**fields, **overrides}


def _submit(item, **overrides):
    return services.submit_need(item.campaign, fields=_fields(item, **overrides), site_url=SITE)


def _refused(call, field=None) -> ValidationError:
    """Run `call`, expect a refusal (at `field` when given) that wrote nothing."""
    needs, actors, deliveries = (
        list(Need.objects.order_by("pk").values()),
        Actor.objects.count(),
        list(Delivery.objects.order_by("pk").values()),
    )
    sent = len(mail.outbox)
    with pytest.raises(ValidationError) as caught:
        call()
    if field is not None:
        assert field in caught.value.message_dict, caught.value
    assert list(Need.objects.order_by("pk").values()) == needs
    assert Actor.objects.count() == actors
    assert list(Delivery.objects.order_by("pk").values()) == deliveries
    assert len(mail.outbox) == sent
    return caught.value


# --- submission -----------------------------------------------------------------------


def test_a_need_is_submitted_placed_and_the_requester_gets_the_link_to_follow_it(item):
    need = _submit(item)
    assert need.status == NeedStatus.SUBMITTED
    assert need.campaign == item.campaign
    assert need.requester_name == "EHPAD Les Glycines"
    assert need.contact_email == "annaig@glycines.example"
    brest = commune("29019")
    assert (need.departement_id, need.epci_id) == (brest.departement_id, brest.epci_id)
    assert need.requester is None and need.validated_at is None
    [message] = mail.outbox
    assert message.to == ["annaig@glycines.example"]
    assert message.subject == "Besoin reçu : Visière"
    assert f"https://kenlabour.example/mobilisation/suivi/{need.token}/" in message.body
    assert "200" in message.body and "Brest" in message.body


def test_the_limits_themselves_are_accepted(item):
    need = _submit(item, quantity=services.MAX_QUANTITY, deadline=today())
    assert need.quantity == 1_000_000 and need.deadline == today()
    item.campaign.ends_on = today()
    item.campaign.save()
    assert _submit(item).pk


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_quantity_that_is_not_positive_is_refused(item, quantity):
    error = _refused(lambda: _submit(item, quantity=quantity), "quantity")
    assert "positif" in error.message_dict["quantity"][0]


def test_an_absurd_quantity_is_refused_with_the_limit(item):
    error = _refused(lambda: _submit(item, quantity=1_000_001), "quantity")
    assert "1\xa0000\xa0000" in error.message_dict["quantity"][0]


def test_a_deadline_in_the_past_is_refused(item):
    yesterday = today() - datetime.timedelta(days=1)
    error = _refused(lambda: _submit(item, deadline=yesterday), "deadline")
    assert yesterday.strftime("%d/%m/%Y") in error.message_dict["deadline"][0]


def test_a_need_without_commune_is_refused(item):
    _refused(lambda: _submit(item, commune=None), "commune")


def test_an_item_of_another_campaign_is_refused(item):
    other = ItemTypeFactory()
    _refused(
        lambda: services.submit_need(item.campaign, fields=_fields(other), site_url=SITE),
        "item_type",
    )


def test_every_problem_is_told_at_once(item):
    error = _refused(
        lambda: _submit(
            item, quantity=0, deadline=today() - datetime.timedelta(days=1), contact_name=" "
        )
    )
    assert set(error.message_dict) == {"quantity", "deadline", "contact_name"}


def test_a_campaign_not_accepting_needs_refuses_them(item):
    item.campaign.accepts_needs = False
    item.campaign.save()
    error = _refused(lambda: _submit(item))
    assert error.code == "closed"
    assert "ne reçoit pas de besoins" in error.messages[0]


def test_an_ended_campaign_refuses_needs(item):
    item.campaign.ends_on = today() - datetime.timedelta(days=1)
    item.campaign.save()
    error = _refused(lambda: _submit(item))
    assert "terminée" in error.messages[0]


# --- verification by coordinators ---------------------------------------------------------


@pytest.fixture
def submitted(item):
    need = _submit(item)
    mail.outbox.clear()
    return need


def test_a_coordinator_validates_a_need_linking_it_to_an_existing_organisation(submitted):
    user = coordinator()
    hospital = OrganisationFactory(
        name="EHPAD Les Glycines", organisation_kind=OrganisationKind.CARE
    )
    actors = Actor.objects.count()
    need = services.validate_need(user, submitted, organisation=hospital, site_url=SITE)
    need.refresh_from_db()
    assert need.status == NeedStatus.VALIDATED
    assert need.requester == hospital
    assert need.validated_by == user and need.validated_at is not None
    assert Actor.objects.count() == actors
    [message] = mail.outbox
    assert message.to == [need.contact_email] and message.subject == "Besoin validé : Visière"
    assert need.get_follow_url() in message.body


def test_validating_without_organisation_creates_the_establishment_in_the_directory(submitted):
    OrganisationFactory(  # the one in Quimper
        name="EHPAD Les Glycines", slug="ehpad-les-glycines", commune=commune("29232")
    )
    need = services.validate_need(coordinator(), submitted, site_url=SITE)
    actor = need.requester
    assert actor.kind == ActorKind.ORGANISATION
    assert actor.organisation_kind == OrganisationKind.CARE
    assert actor.status == ModerationStatus.PUBLISHED and actor.is_public
    assert (actor.name, actor.commune_id) == ("EHPAD Les Glycines", "29019")
    assert actor.departement_id == "29" and actor.latitude is not None
    assert actor.slug == "ehpad-les-glycines-2"  # the Quimper one holds the plain slug
    assert normalise("EHPAD Les Glycines") in actor.search_text
    # What the requester gave to be reached is not published.
    assert actor.email == "" and actor.address == ""


def test_creating_an_establishment_already_in_the_directory_is_refused(submitted):
    OrganisationFactory(name="Ehpad les glycines", commune=submitted.commune)
    error = _refused(
        lambda: services.validate_need(coordinator(), submitted, site_url=SITE), "organisation"
    )
    assert "déjà dans l'annuaire" in error.message_dict["organisation"][0]


def test_linking_to_an_unpublished_organisation_is_refused(submitted):
    pending = OrganisationFactory(status=ModerationStatus.PENDING)
    _refused(
        lambda: services.validate_need(
            coordinator(), submitted, organisation=pending, site_url=SITE
        ),
        "organisation",
    )


@pytest.mark.parametrize("status", [NeedStatus.VALIDATED, NeedStatus.CANCELLED, NeedStatus.MATCHED])
def test_only_a_submitted_need_is_validated(status):
    need = NeedFactory(status=status)
    error = _refused(lambda: services.validate_need(coordinator(), need, site_url=SITE))
    assert "seul un besoin déposé, à vérifier, se valide" in error.messages[0]


def test_who_is_not_a_coordinator_of_the_campaign_cannot_decide(submitted):
    other_campaign = CampaignFactory()
    for user in (UserFactory(), coordinator(other_campaign)):
        state = list(Need.objects.values())
        with pytest.raises(PermissionDenied):
            services.validate_need(user, submitted, site_url=SITE)
        with pytest.raises(PermissionDenied):
            services.cancel_need(user, submitted, reason="Doublon", site_url=SITE)
        assert list(Need.objects.values()) == state
    assert mail.outbox == []
    # A coordinator of this very campaign may.
    need = services.validate_need(coordinator(submitted.campaign), submitted, site_url=SITE)
    assert need.status == NeedStatus.VALIDATED


def test_a_coordinator_cancels_a_need_with_a_reason_sent_to_the_requester(submitted):
    need = services.cancel_need(
        coordinator(), submitted, reason="  Doublon de la demande du 3 avril. ", site_url=SITE
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    assert need.status_note == "Doublon de la demande du 3 avril."
    [message] = mail.outbox
    assert message.subject == "Besoin annulé : Visière"
    assert "Doublon de la demande du 3 avril." in message.body


def test_cancelling_without_a_reason_is_refused(submitted):
    _refused(
        lambda: services.cancel_need(coordinator(), submitted, reason="  ", site_url=SITE),
        "reason",
    )


def test_cancelling_a_matched_need_cancels_its_planned_deliveries():
    need = NeedFactory(status=NeedStatus.MATCHED)
    planned = DeliveryFactory(need=need)
    services.cancel_need(coordinator(), need, reason="Reçu d'ailleurs", site_url=SITE)
    planned.refresh_from_db()
    assert planned.status == DeliveryStatus.CANCELLED


def test_a_need_with_a_declared_delivery_is_not_cancelled():
    need = NeedFactory(status=NeedStatus.PARTLY_DELIVERED)
    DeliveryFactory(need=need)
    declared(need, FablabFactory(), 20)
    error = _refused(
        lambda: services.cancel_need(coordinator(), need, reason="Plus besoin", site_url=SITE)
    )
    assert "déjà livré" in error.messages[0]
    _refused(lambda: services.withdraw_need(need.token))


def test_a_cancelled_need_is_not_cancelled_twice():
    need = NeedFactory(status=NeedStatus.CANCELLED, status_note="Doublon")
    _refused(lambda: services.cancel_need(coordinator(), need, reason="Encore", site_url=SITE))


def test_the_requester_withdraws_a_need_not_yet_delivered(submitted):
    need = services.withdraw_need(submitted.token, reason="Livré par l'ARS.")
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    assert need.status_note == "Retiré par l'établissement. Livré par l'ARS."


# --- confirmation of deliveries by the requester ------------------------------------------


@pytest.fixture
def delivery():
    need = NeedFactory(quantity=100, status=NeedStatus.PARTLY_DELIVERED)
    return declared(need, FablabFactory(), 60)


def _confirm(delivery, units, name="Soizic Tanguy", note="", token=None):
    return services.confirm_delivery(
        token or delivery.need.token,
        delivery.pk,
        received_units=units,
        name=name,
        note=note,
        site_url=SITE,
    )


def test_receiving_what_was_declared_confirms_the_delivery(delivery):
    _confirm(delivery, 60)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CONFIRMED
    assert delivery.confirmed_units == 60 and delivery.declared_units == 60
    assert delivery.confirmed_by_name == "Soizic Tanguy"
    assert delivery.confirmed_at is not None and delivery.discrepancy_note == ""
    delivery.need.refresh_from_db()
    assert delivery.need.status == NeedStatus.PARTLY_DELIVERED  # 60 of 100


def test_the_last_confirmation_delivers_the_need(delivery):
    declared(delivery.need, FablabFactory(), 40)
    _confirm(delivery, 60)
    delivery.need.refresh_from_db()
    assert delivery.need.status == NeedStatus.DELIVERED  # 60 confirmed + 40 declared


def test_receiving_fewer_flags_a_discrepancy_and_keeps_both_figures(delivery):
    _confirm(delivery, 45, note="Quinze visières cassées.")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DISCREPANCY
    assert (delivery.declared_units, delivery.confirmed_units) == (60, 45)
    assert delivery.discrepancy_note == "Quinze visières cassées."
    assert delivery.resolved_at is None


def test_receiving_nothing_is_a_discrepancy(delivery):
    _confirm(delivery, 0, note="Rien reçu.")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DISCREPANCY and delivery.confirmed_units == 0


def test_confirming_more_than_was_delivered_is_refused(delivery):
    error = _refused(lambda: _confirm(delivery, 61), "received_units")
    message = error.message_dict["received_units"][0]
    assert "61" in message and "60" in message
    assert "plus que ce qui a été livré" in message


def test_fewer_without_a_note_is_refused(delivery):
    _refused(lambda: _confirm(delivery, 50), "note")


@pytest.mark.parametrize(
    ("units", "name", "field"), [(-1, "Soizic", "received_units"), (60, "  ", "name")]
)
def test_a_negative_count_or_no_name_is_refused(delivery, units, name, field):
    _refused(lambda: _confirm(delivery, units, name=name), field)


def test_a_delivery_not_yet_declared_or_already_confirmed_is_not_confirmed(delivery):
    planned = DeliveryFactory(need=delivery.need)
    error = _refused(lambda: _confirm(planned, 10))
    assert "pas encore été déclarée" in error.messages[0]
    _confirm(delivery, 60)
    error = _refused(lambda: _confirm(delivery, 60))
    assert "déjà confirmée" in error.messages[0]


def test_the_token_of_another_need_confirms_nothing(delivery):
    other = NeedFactory()
    state = list(Delivery.objects.values())
    with pytest.raises(Delivery.DoesNotExist):
        _confirm(delivery, 60, token=other.token)
    assert list(Delivery.objects.values()) == state


# --- discrepancies --------------------------------------------------------------------------


@pytest.fixture
def discrepancy():
    need = NeedFactory(quantity=100)
    return received(need, FablabFactory(), 50, 30, note="Colis incomplet.")


def test_a_coordinator_records_what_was_done_about_a_discrepancy(discrepancy):
    services.resolve_discrepancy(coordinator(), discrepancy, note=" Second colis envoyé. ")
    discrepancy.refresh_from_db()
    assert discrepancy.resolution_note == "Second colis envoyé."
    assert discrepancy.resolved_at is not None
    # The figures are not merged: both stay as they were.
    assert discrepancy.status == DeliveryStatus.DISCREPANCY
    assert (discrepancy.declared_units, discrepancy.confirmed_units) == (50, 30)


def test_a_resolution_needs_a_note_and_happens_once(discrepancy):
    user = coordinator()
    _refused(lambda: services.resolve_discrepancy(user, discrepancy, note=""), "note")
    services.resolve_discrepancy(user, discrepancy, note="Appel au producteur.")
    error = _refused(lambda: services.resolve_discrepancy(user, discrepancy, note="Encore"))
    assert "déjà traité" in error.messages[0]


def test_only_a_discrepancy_is_resolved(delivery):
    _refused(lambda: services.resolve_discrepancy(coordinator(), delivery, note="Rien"))


def test_who_is_not_a_coordinator_of_the_campaign_cannot_resolve(discrepancy):
    for user in (UserFactory(), coordinator(CampaignFactory())):
        with pytest.raises(PermissionDenied):
            services.resolve_discrepancy(user, discrepancy, note="Vu")
    discrepancy.refresh_from_db()
    assert discrepancy.resolved_at is None
