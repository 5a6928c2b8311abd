"""The funding app's e-mails (kenlabour.funding.notifications): who receives each, and both
parts, the plain text without any HTML entity and the HTML escaped."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding import notifications
from kenlabour.funding.services import claims as services
from kenlabour.funding.services import money
from kenlabour.funding.tests.factories import confirmed_delivery, funder_user
from kenlabour.funding.tests.pages_claims import pdf_bytes, upload, world
from kenlabour.network.tests.factories import FablabFactory, make_admin

pytestmark = pytest.mark.django_db

SITE = "https://kenlabour.example/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def parts(message) -> tuple[str, str]:
    html = [content for content, mime in message.alternatives if mime == "text/html"]
    assert len(html) == 1, "an HTML part"
    return message.body, html[0]


def filed(w, capture):
    """A claim of the fablab "L'Atelier d'Yves" with an expense, submitted."""
    w.claimant.name = "L'Atelier d'Yves <3D>"
    w.claimant.save()
    claim = services.create_claim(w.claimant_user, w.envelope, w.claimant)
    services.add_expense(
        w.claimant_user,
        claim,
        kind="material",
        label="Filament",
        amount_cents=1_000,
        spent_on=timezone.localdate(),
        receipt=upload("f.pdf", pdf_bytes()),
    )
    with capture(execute=True):
        return services.submit(w.claimant_user, claim, site_url=SITE)


def test_the_relays_treasurers_are_told_of_a_submitted_claim(django_capture_on_commit_callbacks):
    w = world()
    claim = filed(w, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == sorted([w.treasurer_user.email, w.payer_user.email])
    text, html = parts(message)
    assert "L'Atelier d'Yves <3D> a déposé une demande" in text
    assert "&#x27;" not in text and "&lt;" not in text and "&amp;" not in text
    assert "L&#x27;Atelier d&#x27;Yves &lt;3D&gt;" in html and "<3D>" not in html
    assert f"{SITE}financement/demandes/{claim.pk}/" in text
    assert f'href="{SITE}financement/demandes/{claim.pk}/"' in html
    assert "Atelier" in message.subject and "&#x27;" not in message.subject


def test_an_approval_says_what_is_left_to_share(django_capture_on_commit_callbacks):
    w = world()
    claim = filed(w, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review(w.treasurer_user, claim, services.APPROVE, site_url=SITE)
    text, html = parts(mail.outbox[0])
    assert mail.outbox[0].to == [w.claimant_user.email]
    assert "Il reste" in text and "prochaine répartition" in text
    assert "Il reste" in html
    assert "l'enveloppe" in text and "&#x27;" not in text


def test_an_approval_on_a_wholly_shared_envelope_promises_nothing(
    django_capture_on_commit_callbacks,
):
    w = world()
    w.envelope.total_cents = 100  # 1 €
    w.envelope.save()
    first = filed(w, django_capture_on_commit_callbacks)
    services.review(w.treasurer_user, first, services.APPROVE)
    money.allocate(funder_user(w.envelope.funder), w.envelope)  # the whole euro goes
    # Another fablab of the same town claims on the same envelope afterwards.
    fablab = FablabFactory(name="Fablab de Brest", commune=w.claimant.commune)
    confirmed_delivery(fablab, w.item, 50)
    person = make_admin(UserFactory(), fablab)
    claim = services.create_claim(person, w.envelope, fablab)
    claim = services.submit(person, claim)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review(w.treasurer_user, claim, services.APPROVE, site_url=SITE)
    text, html = parts(mail.outbox[0])
    assert "entièrement répartie" in text and "entièrement répartie" in html
    assert "Il reste" not in text and "versera" not in text


def test_the_claimant_is_told_of_the_payment(django_capture_on_commit_callbacks):
    w = world()
    claim = filed(w, django_capture_on_commit_callbacks)
    services.review(w.treasurer_user, claim, services.APPROVE)
    money.allocate(funder_user(w.envelope.funder), w.envelope)
    claim.refresh_from_db()
    mail.outbox.clear()
    day = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        money.pay_claim(w.payer_user, claim, date=day, bank_reference="VIR-42", site_url=SITE)
    assert [m.to for m in mail.outbox] == [[w.claimant_user.email]]
    text, html = parts(mail.outbox[0])
    amount = money.format_euros(claim.allocated_cents)
    assert amount in text and amount in html
    assert "VIR-42" in text and "VIR-42" in html
    assert "payée" in mail.outbox[0].subject


def test_a_second_click_on_pay_sends_no_second_email(django_capture_on_commit_callbacks):
    w = world()
    claim = filed(w, django_capture_on_commit_callbacks)
    services.review(w.treasurer_user, claim, services.APPROVE)
    money.allocate(funder_user(w.envelope.funder), w.envelope)
    day = timezone.localdate() - datetime.timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        money.pay_claim(w.payer_user, claim, date=day, bank_reference="VIR-42")
        money.pay_claim(w.payer_user, claim, date=day, bank_reference="VIR-42")
    assert len(mail.outbox) == 1


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        notifications.send(1, "approuve", SITE)
