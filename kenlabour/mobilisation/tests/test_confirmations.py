"""A confirmation step before each irreversible action of the mobilisation: the first post
answers a page saying what will happen (with the values posted, and a way back) and
changes nothing; posted again with the confirmation, the action is done. What the action
would refuse is said at the field first, without a confirmation step."""

import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kenlabour.mobilisation.enums import DeliveryStatus, MaterialStatus, NeedStatus, RunStatus
from kenlabour.mobilisation.models import Delivery, MaterialOffer, Need
from kenlabour.mobilisation.services import coordination
from kenlabour.mobilisation.tests.factories import (
    CapacityFactory,
    DeliveryFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
    NeedFactory,
    coordinator,
    producer_user,
)
from kenlabour.mobilisation.tests.pages_needs import declared, received
from kenlabour.network.tests.factories import FablabFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Need.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
        list(MaterialOffer.objects.order_by("pk").values()),
        len(mail.outbox),
    )


def step(client, url, data, *, title, words=(), back):
    """Post without the confirmation: the step, nothing changed. Then confirm it."""
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f'<h1 id="confirmation-titre">{title}</h1>' in page
    for word in words:
        assert word in page, word
    assert f'href="{back}"' in page, "a way back without changing anything"
    assert 'name="confirmation" value="1"' in page
    for name in data:
        assert f'name="{name}"' in page, "the posted values are carried again"
    assert snapshot() == before, "nothing happens before the confirmation"
    return client.post(url, {**data, "confirmation": "1"}), page


def test_confirming_a_matching_run(client):
    item = ItemTypeFactory()
    CapacityFactory(item_type=item)
    NeedFactory(item_type=item, quantity=1)
    boss = coordinator()
    run = coordination.run_matching(boss, item.campaign)
    client.force_login(boss)
    url = reverse("mobilisation:run_decide", args=[run.pk])
    step(
        client,
        url,
        {"decision": "confirm"},
        title="Confirmer l'appariement ?",
        words=["1 livraison — 1 unité", "Confirmer l'appariement"],
        back=run.get_absolute_url(),
    )
    run.refresh_from_db()
    assert run.status == RunStatus.CONFIRMED and Delivery.objects.count() == 1


def test_discarding_a_matching_run(client):
    item = ItemTypeFactory()
    CapacityFactory(item_type=item)
    NeedFactory(item_type=item, quantity=80)
    boss = coordinator()
    run = coordination.run_matching(boss, item.campaign)
    client.force_login(boss)
    url = reverse("mobilisation:run_decide", args=[run.pk])
    step(
        client,
        url,
        {"decision": "discard"},
        title="Écarter l'appariement ?",
        words=["1 livraison — 80 unités"],
        back=run.get_absolute_url(),
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED


def test_cancelling_a_need(client):
    need = NeedFactory(requester_name="EHPAD Ker Avel")
    client.force_login(coordinator())
    url = reverse("mobilisation:need_decide", kwargs={"pk": need.pk})
    data = {"decision": "cancel", "reason": "Doublon"}
    step(
        client,
        url,
        data,
        title="Annuler le besoin ?",
        words=["Le besoin de EHPAD Ker Avel est annulé", "Motif : Doublon"],
        back=need.get_absolute_url(),
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED and need.status_note == "Doublon"


def test_a_cancellation_without_reason_is_told_at_the_field_without_a_step(client):
    need = NeedFactory()
    client.force_login(coordinator())
    url = reverse("mobilisation:need_decide", kwargs={"pk": need.pk})
    page = client.post(url, {"decision": "cancel", "reason": ""}).content.decode()
    assert "confirmation-titre" not in page and "Indiquez le motif" in html.unescape(page)


def test_withdrawing_a_need(client):
    need = NeedFactory()
    url = reverse("mobilisation:need_withdraw", kwargs={"token": need.token})
    step(
        client,
        url,
        {"reason": "Reçu de l'ARS"},
        title="Retirer le besoin ?",
        back=need.get_follow_url(),
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED


def test_the_steps_of_the_secret_link_are_never_indexed(client):
    need = NeedFactory()
    url = reverse("mobilisation:need_withdraw", kwargs={"token": need.token})
    response = client.post(url, {"reason": ""})
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def confirm_data(delivery, units, note=""):
    prefix = f"livraison-{delivery.pk}"
    return {
        f"{prefix}-received_units": str(units),
        f"{prefix}-name": "Soizic",
        f"{prefix}-note": note,
    }


def test_confirming_a_delivery_in_full(client):
    delivery = declared(NeedFactory(), FablabFactory(name="Fablab Ar Vro"), 23)
    url = reverse(
        "mobilisation:delivery_confirm", kwargs={"token": delivery.need.token, "pk": delivery.pk}
    )
    step(
        client,
        url,
        confirm_data(delivery, 23),
        title="Confirmer la réception ?",
        words=[
            "Vous confirmez avoir reçu les 23 unités déclarées par Fablab Ar Vro.",
            "Reçues : 23 unités",
        ],
        back=delivery.need.get_follow_url(),
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CONFIRMED


def test_confirming_fewer_says_the_gap_will_be_flagged(client):
    delivery = declared(NeedFactory(), FablabFactory(name="Fablab Ar Vro"), 23)
    url = reverse(
        "mobilisation:delivery_confirm", kwargs={"token": delivery.need.token, "pk": delivery.pk}
    )
    step(
        client,
        url,
        confirm_data(delivery, 1, "Un seul carton"),
        title="Confirmer la réception ?",
        words=["Vous indiquez en avoir reçu 1 sur les 23 déclarées", "Reçues : 1 unité"],
        back=delivery.need.get_follow_url(),
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DISCREPANCY


def test_fewer_without_a_note_is_told_at_the_field_without_a_step(client):
    delivery = declared(NeedFactory(), FablabFactory(), 23)
    url = reverse(
        "mobilisation:delivery_confirm", kwargs={"token": delivery.need.token, "pk": delivery.pk}
    )
    page = html.unescape(client.post(url, confirm_data(delivery, 20)).content.decode())
    assert "confirmation-titre" not in page and "expliquez l'écart" in page


def test_closing_a_discrepancy(client):
    gap = received(NeedFactory(requester_name="EHPAD Penn Ar Bed"), FablabFactory(), 20, 5, "x")
    client.force_login(coordinator())
    url = reverse("mobilisation:discrepancy_resolve", kwargs={"pk": gap.pk})
    step(
        client,
        url,
        {f"ecart-{gap.pk}-note": "Second colis parti"},
        title="Clore l'écart ?",
        words=["Suite donnée : Second colis parti", "EHPAD Penn Ar Bed"],
        back=reverse("mobilisation:discrepancies", kwargs={"slug": gap.need.campaign.slug}),
    )
    gap.refresh_from_db()
    assert gap.resolved_at is not None


def test_declaring_a_delivery(client):
    fablab = FablabFactory()
    delivery = DeliveryFactory(
        need=NeedFactory(requester_name="EHPAD Ty Glaz"), producer=fablab, planned_units=1
    )
    client.force_login(producer_user(fablab))
    url = reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk})
    day = timezone.localdate()
    step(
        client,
        url,
        {f"livraison-{delivery.pk}-units": "1", f"livraison-{delivery.pk}-declared_on": str(day)},
        title="Déclarer la livraison ?",
        words=["Vous déclarez avoir livré 1 unité à EHPAD Ty Glaz le"],
        back=reverse("mobilisation:producer", kwargs={"slug": delivery.need.campaign.slug})
        + f"#acteur-{fablab.pk}",
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DECLARED


def test_declaring_in_the_future_is_told_at_the_field_without_a_step(client):
    fablab = FablabFactory()
    delivery = DeliveryFactory(need=NeedFactory(), producer=fablab)
    client.force_login(producer_user(fablab))
    url = reverse("mobilisation:delivery_declare", kwargs={"pk": delivery.pk})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.post(
        url,
        {
            f"livraison-{delivery.pk}-units": "10",
            f"livraison-{delivery.pk}-declared_on": str(tomorrow),
        },
    ).content.decode()
    assert "confirmation-titre" not in page and "dans le futur" in page


def test_closing_a_material_offer(client):
    offer = MaterialOfferFactory()
    client.force_login(producer_user(offer.actor))
    url = reverse("mobilisation:material_status", kwargs={"pk": offer.pk})
    step(
        client,
        url,
        {"statut": "withdrawn"},
        title="Retirer l'annonce ?",
        words=["10 bobines"],
        back=reverse("mobilisation:producer", kwargs={"slug": offer.campaign.slug})
        + f"#matiere-{offer.actor_id}",
    )
    offer.refresh_from_db()
    assert offer.status == MaterialStatus.WITHDRAWN
