"""The mobilisation's e-mails, sent by the services: who gets which, with a plain-text part
free of HTML entities and an HTML part where what people typed is escaped."""

import html
import re

import pytest
from django.core import mail

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation import notifications
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.services import needs as need_services
from kenlabour.mobilisation.services import producers as producer_services
from kenlabour.mobilisation.tasks import send_email
from kenlabour.mobilisation.tests.factories import (
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    coordinator,
    producer_user,
    today,
)
from kenlabour.network.tests.factories import FablabFactory

pytestmark = pytest.mark.django_db

SITE = "https://kenlabour.example/"
# What a requester may type: an apostrophe, an ampersand, markup.
NAME = "EHPAD l'Ajonc & <b>Fils</b>"
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def parts(message) -> tuple[str, str]:
    """The plain-text and the HTML part of an e-mail, both checked."""
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert not ENTITY.search(message.body), message.body
    assert not ENTITY.search(message.subject), message.subject
    assert "<b>Fils</b>" not in content, "what people type is escaped in HTML"
    assert content.lstrip().startswith("<!DOCTYPE html>")
    return message.body, content


def text_of(content: str) -> str:
    """The words of an HTML part, as a reader sees them."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


@pytest.fixture
def fablab():
    return FablabFactory(name="Fablab d'Arvor")


@pytest.fixture
def maker(fablab):
    return producer_user(fablab, email="atelier@arvor.example")


@pytest.fixture
def delivery(fablab, maker):
    need = NeedFactory(
        item_type=ItemTypeFactory(name="Visière"),
        requester_name=NAME,
        contact_name="Annaïg Le Floc'h",
        contact_email="annaig@ajonc.example",
    )
    return DeliveryFactory(need=need, producer=fablab, planned_units=23)


def declare(delivery, maker, units=23):
    producer_services.declare_delivery(
        maker, delivery, units=units, declared_on=today(), site_url=SITE
    )
    delivery.refresh_from_db()
    return delivery


def confirm(delivery, units, note=""):
    return need_services.confirm_delivery(
        delivery.need.token,
        delivery.pk,
        received_units=units,
        name="Annaïg",
        note=note,
        site_url=SITE,
    )


def test_a_declared_delivery_tells_the_recipient_with_the_link_to_confirm(delivery, maker):
    declare(delivery, maker)
    [message] = mail.outbox
    assert message.to == ["annaig@ajonc.example"]
    assert message.subject == "Livraison à confirmer : Visière"
    text, content = parts(message)
    link = f"https://kenlabour.example/mobilisation/suivi/{delivery.need.token}/"
    assert "Bonjour Annaïg Le Floc'h," in text
    assert "Fablab d'Arvor indique vous avoir livré 23 unités (Visière) le" in text
    assert link in text and f'href="{link}"' in content
    assert NAME in text and NAME in text_of(content)
    assert "Fablab d'Arvor indique vous avoir livré 23 unités (Visière)" in text_of(content)


def test_one_unit_is_singular(fablab, maker):
    delivery = DeliveryFactory(need=NeedFactory(), producer=fablab, planned_units=1)
    declare(delivery, maker, units=1)
    mail.outbox.clear()
    confirm(delivery, 1)
    text, content = parts(mail.outbox[0])
    assert "confirme avoir reçu 1 unité (" in text
    assert "confirme avoir reçu 1 unité (" in text_of(content)


def test_a_confirmed_delivery_tells_the_producer(delivery, maker):
    declare(delivery, maker)
    mail.outbox.clear()
    confirm(delivery, 23)
    [message] = mail.outbox
    assert message.to == ["atelier@arvor.example"]
    assert message.subject == f"Réception confirmée par {NAME}"
    text, content = parts(message)
    assert f"{NAME} confirme avoir reçu les 23 unités (Visière) : la livraison est close." in text
    producer_page = (
        f"https://kenlabour.example/mobilisation/{delivery.need.campaign.slug}/producteur/"
    )
    assert producer_page in text and f'href="{producer_page}"' in content
    assert delivery.need.token not in text + content, "the need's secret link stays its own"


def test_a_dispute_tells_the_producer_and_the_coordinators(delivery, maker):
    coordinators = {coordinator().email, coordinator(delivery.need.campaign).email}
    coordinator(ItemTypeFactory().campaign)  # of another campaign: not told
    declare(delivery, maker)
    mail.outbox.clear()
    confirm(delivery, 20, note="Un carton manquait & deux visières fêlées.")
    assert delivery.__class__.objects.get(pk=delivery.pk).status == DeliveryStatus.DISCREPANCY
    producer, desk = mail.outbox
    assert producer.to == ["atelier@arvor.example"]
    assert set(desk.to) == coordinators
    for message in (producer, desk):
        assert message.subject == f"Écart de livraison signalé par {NAME}"
        text, content = parts(message)
        for words in (
            f"Fablab d'Arvor a déclaré 23 unités (Visière) livrées à {NAME}, qui en indique "
            "20 reçues. Il manque 3 unités.",
            "Un carton manquait & deux visières fêlées.",
        ):
            assert words in text and words in text_of(content)
    discrepancies = f"https://kenlabour.example/mobilisation/{delivery.need.campaign.slug}/ecarts/"
    assert discrepancies in desk.body and discrepancies not in producer.body


def test_a_person_producing_is_told_at_their_account_address(delivery):
    user = UserFactory(email="maker@example.org")
    person = FablabFactory()
    person.user = user
    person.save()
    delivery.producer = person
    delivery.save()
    assert notifications.producer_addresses(person) == ["maker@example.org"]
    fallback = FablabFactory(email="contact@fablab.example")
    assert notifications.producer_addresses(fallback) == ["contact@fablab.example"]


@pytest.mark.parametrize(
    ("kind", "subject", "words"),
    [
        ("need_submitted", "Besoin reçu : Visière", "L'équipe de coordination va le vérifier"),
        ("need_validated", "Besoin validé : Visière", "Votre besoin est vérifié"),
        ("need_cancelled", "Besoin annulé : Visière", "Motif : Doublon d'une autre demande."),
    ],
)
def test_the_requester_e_mails_have_both_parts_without_entities(delivery, kind, subject, words):
    need = delivery.need
    need.status_note = "Doublon d'une autre demande."
    need.save()
    send_email.call(kind, need.pk, SITE)
    [message] = mail.outbox
    assert message.subject == subject and message.to == [need.contact_email]
    text, content = parts(message)
    assert words in text and words in text_of(content)
    assert NAME in text and "Annaïg Le Floc'h" in text


def test_an_unknown_kind_of_e_mail_is_a_programming_error(delivery):
    with pytest.raises(ValueError):
        send_email.call("congratulations", delivery.need.pk, SITE)


def test_the_e_mail_of_a_record_deleted_meanwhile_is_not_sent():
    send_email.call("need_submitted", 0, SITE)
    send_email.call("delivery_declared", 0, SITE)
    assert mail.outbox == []
