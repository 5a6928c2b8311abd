"""The lab's e-mails: text part unescaped, HTML part escaped, and who gets what when a
workshop changes or is cancelled."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.lab.enums import RegistrationStatus
from kenlabour.lab.services import workshops as services
from kenlabour.lab.tests.factories import (
    AttendanceFactory,
    WorkshopFactory,
    in_days,
)
from kenlabour.network.tests.factories import commune

pytestmark = pytest.mark.django_db

SITE = "https://kenlabour.example/"


def _parts(message) -> tuple[str, str]:
    (html, content_type), *_rest = message.alternatives
    assert content_type == "text/html"
    return message.body, html


def test_a_registration_email_reads_apostrophes_as_typed_in_text_and_escapes_html():
    workshop = WorkshopFactory(title="L'accueil <des> usagers", starts_at=in_days(7))
    services.register(
        UserFactory(), workshop, name="Anne L'Hostis", email="anne@ex.bzh", site_url=SITE
    )
    (message,) = mail.outbox
    text, html = _parts(message)
    assert message.subject == "Place confirmée : L'accueil <des> usagers"
    assert "Bonjour Anne L'Hostis," in text
    assert "L'accueil <des> usagers" in text
    assert "&#x27;" not in text and "&lt;" not in text
    assert "Votre place à cet atelier est confirmée" in text
    assert "L&#x27;accueil &lt;des&gt; usagers" in html
    assert "<des>" not in html
    assert f"{SITE}labo/inscription/" in text and 'href="https://kenlabour.example/labo/' in html


def _registered(workshop, *names):
    return [
        services.register(
            UserFactory(), workshop, name=name, email=f"{name.lower()}@ex.bzh", site_url=SITE
        )
        for name in names
    ]


def test_a_new_date_or_place_is_told_to_everyone_registered_with_before_and_after():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory(capacity=1, starts_at=in_days(7), ends_at=in_days(7, hour=12))
    anne, _bob = _registered(workshop, "Anne", "Bob")  # Bob waits
    cancelled = _registered(workshop, "Cleo")[0]
    services.cancel_registration(cancelled.token, site_url=SITE)
    mail.outbox.clear()
    services.update_workshop(
        facilitator,
        workshop,
        fields={
            "starts_at": in_days(8, hour=14),
            "ends_at": in_days(8, hour=17),
            "commune": commune("29232"),
            "address": "2 rue de l'Église",
        },
        site_url=SITE,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@ex.bzh", "bob@ex.bzh"]
    message = next(m for m in mail.outbox if m.to == ["anne@ex.bzh"])
    text, html = _parts(message)
    assert message.subject.startswith("Changement de date ou de lieu : ")
    assert "Date — avant :" in text and "Date — désormais :" in text
    assert "Lieu — désormais : 2 rue de l'Église, Quimper" in text
    assert "14:00" in text
    assert "2 rue de l&#x27;Église, Quimper" in html and "<del>" in html
    assert anne.token in text


def test_a_change_of_title_alone_sends_nothing():
    workshop = WorkshopFactory(starts_at=in_days(7))
    _registered(workshop, "Anne")
    mail.outbox.clear()
    services.update_workshop(
        user_with_role("lab_facilitator"), workshop, fields={"title": "Autre"}, site_url=SITE
    )
    assert mail.outbox == []


def test_a_cancelled_workshop_tells_everyone_closes_registration_and_counts_for_nothing():
    facilitator = user_with_role("lab_facilitator")
    workshop = WorkshopFactory(title="Atelier d'été", capacity=1, starts_at=in_days(7))
    _registered(workshop, "Anne", "Bob")
    mail.outbox.clear()
    services.cancel_workshop(facilitator, workshop, reason="Salle indisponible.", site_url=SITE)
    workshop.refresh_from_db()
    assert workshop.cancelled_at is not None and workshop.registration_closed
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@ex.bzh", "bob@ex.bzh"]
    text, html = _parts(mail.outbox[0])
    assert mail.outbox[0].subject == "Atelier annulé : Atelier d'été"
    assert "cet atelier est annulé" in text and "Salle indisponible." in text
    assert "Atelier d&#x27;été" in html
    with pytest.raises(ValidationError, match="Cet atelier est annulé"):
        services.register(UserFactory(), workshop, name="Cleo", email="c@ex.bzh", site_url=SITE)
    with pytest.raises(ValidationError, match="déjà annulé"):
        services.cancel_workshop(facilitator, workshop, site_url=SITE)
    assert workshop.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 1


def test_a_workshop_is_cancelled_only_by_its_facilitators_and_before_it_took_place():
    upcoming = WorkshopFactory(starts_at=in_days(7))
    with pytest.raises(PermissionDenied):
        services.cancel_workshop(UserFactory(), upcoming, site_url=SITE)
    past = WorkshopFactory(starts_at=in_days(-7), ends_at=in_days(-7) + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError, match="déjà eu lieu"):
        services.cancel_workshop(user_with_role("lab_facilitator"), past, site_url=SITE)
    ongoing = WorkshopFactory(starts_at=in_days(7))
    AttendanceFactory(workshop=ongoing)
    with pytest.raises(ValidationError, match="présences sont notées"):
        services.cancel_workshop(user_with_role("lab_facilitator"), ongoing, site_url=SITE)
