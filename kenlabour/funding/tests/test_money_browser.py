"""In a real browser: the funder opens an envelope (a closing date before the opening
refused first), runs the allocation of an oversubscribed envelope and records a transfer
to a relay (a negative amount refused first); the relay's treasurer records a claim's
payout (a missing bank reference refused first); an administrator reconfigures a
coverage (an overlap refused first). axe-core on every page and every form with errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import user_with_role
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, Envelope, Transfer
from kenlabour.funding.tests.factories import FunderFactory, funder_user
from kenlabour.funding.tests.pages_money import OVERSUBSCRIBED, audited_campaign, money_world
from kenlabour.mobilisation.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_the_funder_allocates_and_the_treasurer_pays(
    browser, live_server, login_browser, assert_accessible
):
    w = money_world(asks=OVERSUBSCRIBED)

    funder = browser.new_context(locale="fr-FR")
    login_browser(funder, w.funder_user)
    page = funder.new_page()
    page.goto(
        live_server.url + reverse("funding:envelope_manage", kwargs={"slug": w.envelope.slug})
    )
    assert_accessible(page)
    page.get_by_role("button", name="Calculer la répartition").click()
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page)  # the confirmation step
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("Répartition calculée :").wait_for()
    assert_accessible(page)
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.SCHEDULED}
    shares = sum(Claim.objects.values_list("allocated_cents", flat=True))
    assert shares == w.envelope.total_cents

    page.get_by_role("combobox", name="Relais").select_option(label=w.relay.name)
    page.get_by_label("Montant en euros").fill("-200")
    page.get_by_label("Date du virement").fill(YESTERDAY.isoformat())
    page.get_by_label("Référence bancaire").fill("RB-2020-29-1")
    page.get_by_role("button", name="Enregistrer le virement").click()
    page.get_by_role("heading", name="Rien n'a été enregistré : corrigez ce qui suit.").wait_for()
    assert_accessible(page)
    assert not Transfer.objects.exists()
    page.get_by_label("Montant en euros").fill("4 000")
    page.get_by_role("button", name="Enregistrer le virement").click()
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("Virement de 4").wait_for()
    assert Transfer.objects.get().amount_cents == 400_000
    funder.close()

    claim = w.claims[0]
    treasurer = browser.new_context(locale="fr-FR")
    login_browser(treasurer, w.treasurer_user)
    page = treasurer.new_page()
    page.goto(live_server.url + reverse("funding:pay", kwargs={"pk": claim.pk}))
    assert_accessible(page)
    page.get_by_label("Date du virement").fill(YESTERDAY.isoformat())
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_role("heading", name="Rien n'a été enregistré : corrigez ce qui suit.").wait_for()
    assert_accessible(page)
    assert not Transfer.objects.filter(claim=claim).exists()
    page.get_by_label("Référence bancaire").fill("VIR-2020-0001")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_text("référence bancaire VIR-2020-0001").wait_for()
    assert_accessible(page)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    payout = Transfer.objects.get(kind=TransferKind.RELAY_TO_CLAIMANT)
    assert payout.claim == claim and payout.amount_cents == claim.allocated_cents
    treasurer.close()


def test_a_funder_opens_an_envelope(browser, live_server, login_browser, assert_accessible):
    audited_campaign()
    campaign = Campaign.objects.get()
    region = FunderFactory(name="Région Bretagne")
    context = browser.new_context(locale="fr-FR")
    login_browser(context, funder_user(region))
    page = context.new_page()
    page.goto(live_server.url + reverse("funding:envelope_create"))
    assert_accessible(page)
    page.get_by_label("Nom de l'enveloppe").fill("Compensation des makers 2020")
    page.get_by_label("Montant total en euros").fill("150000")
    page.get_by_label("Ouverture des demandes").fill("2020-04-01")
    page.get_by_label("Clôture des demandes").fill("2020-03-01")
    page.get_by_label("Référence de la décision").fill("CP-2020-0412")
    page.get_by_label("Date de la convention").fill("2020-03-20")
    page.get_by_label("Compensation pour « Surblouse en tissu », en euros par unité").fill("5")
    page.get_by_role("button", name="Ouvrir l'enveloppe").click()
    page.get_by_role("heading", name="Rien n'a été enregistré : corrigez ce qui suit.").wait_for()
    assert_accessible(page)
    assert not Envelope.objects.exists()
    page.get_by_label("Clôture des demandes").fill("2020-06-30")
    page.get_by_role("button", name="Ouvrir l'enveloppe").click()
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page)  # the confirmation step
    page.locator(".confirm-form button[type=submit]").click()  # the confirmation step
    page.get_by_role(
        "heading", name="Gestion de l'enveloppe « Compensation des makers 2020 »"
    ).wait_for()
    assert_accessible(page)
    envelope = Envelope.objects.get()
    assert envelope.funder == region and envelope.campaign == campaign
    rates = {r.item_type.name: r.cents_per_unit for r in envelope.rates.select_related("item_type")}
    assert rates == {"Visière Prusa RC3": 150, "Surblouse en tissu": 500}
    context.close()


def test_an_administrator_reconfigures_coverage(
    browser, live_server, login_browser, assert_accessible
):
    w = money_world()
    context = browser.new_context(locale="fr-FR")
    login_browser(context, user_with_role("platform_admin"))
    page = context.new_page()
    page.goto(live_server.url + reverse("funding:coverages"))
    assert_accessible(page)
    page.get_by_role("combobox", name="Relais").select_option(label=w.relay.name)
    page.get_by_role("combobox", name="Département").select_option("56")
    page.get_by_label("À partir du").fill("2020-01-01")  # the day Morbihan's relay started
    page.get_by_role("button", name="Enregistrer la couverture").click()
    page.get_by_role("heading", name="Rien n'a été enregistré : corrigez ce qui suit.").wait_for()
    assert_accessible(page)
    page.get_by_label("À partir du").fill("2021-01-01")
    page.get_by_role("button", name="Enregistrer la couverture").click()
    page.get_by_text("couvre Morbihan à partir du").wait_for()
    assert_accessible(page)
    assert page.get_by_role("cell", name="passée").count() == 1
    context.close()


FUNDING_PAGES_PUBLIC = ("funding:envelopes", "funding:ledger", "funding:coverages")


@pytest.mark.parametrize("javascript", [True, False])
def test_funding_pages_are_never_wider_than_the_viewport(
    browser, live_server, login_browser, javascript
):
    """At 360 px every funding page fits the phone, the ledger at 1280 px too: wide tables
    scroll inside their own region, long names, references and hashes wrap."""
    from kenlabour.funding.tests.pages_money import allocated_world

    w = allocated_world()
    long = "Fabrique-solidaire-intercommunale-des-makers-du-pays-de-Quimperlé-" * 2
    w.relay.name = long
    w.relay.save()
    paid = w.claims[0]
    Transfer.objects.filter(claim=paid).update(bank_reference="VIR-" + "0123456789" * 8)
    scheduled = [c for c in w.claims if c.relay_id == w.relay.pk][1]
    pages = {
        None: [reverse(name) for name in FUNDING_PAGES_PUBLIC]
        + [w.envelope.get_absolute_url(), reverse("funding:ledger") + "?tete=pas-une-tete"],
        w.funder_user: [
            reverse("funding:envelope_manage", kwargs={"slug": w.envelope.slug}),
            reverse("funding:ledger"),  # with the bank references the funder may read
        ],
        w.treasurer_user: [
            reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}),
            paid.get_absolute_url(),
            scheduled.get_absolute_url(),
            reverse("funding:pay", kwargs={"pk": paid.pk}),
            reverse("funding:my_claims"),
        ],
    }
    for width, who_pages in ((360, pages), (1280, {None: [reverse("funding:ledger")]})):
        for user, urls in who_pages.items():
            context = browser.new_context(
                locale="fr-FR",
                viewport={"width": width, "height": 800},
                java_script_enabled=javascript,
            )
            if user is not None:
                login_browser(context, user)
            page = context.new_page()
            for url in urls:
                response = page.goto(live_server.url + url)
                assert response.status == 200, url
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{url} is {scroll} px wide at {width} px"
            context.close()
