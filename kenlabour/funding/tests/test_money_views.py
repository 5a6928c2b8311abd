"""The money room's pages: who may open them (per role), forms that answer bad input at
the field and write nothing, and the figures an envelope's page shows, recomputed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, Coverage, Envelope, LedgerEntry, Transfer
from kenlabour.funding.services import money as services
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import FunderFactory, funder_user
from kenlabour.funding.tests.pages_money import (
    OVERSUBSCRIBED,
    allocated_world,
    audited_campaign,
    money_world,
)
from kenlabour.mobilisation.models import Campaign
from kenlabour.network.models import Actor
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def login(client, user):
    client.force_login(user)
    return client


# --- envelope creation ----------------------------------------------------------------------


def _envelope_post(funder, campaign, **overrides):
    today = timezone.localdate()
    data = {
        "funder": funder.pk,
        "name": "Compensation des makers 2020",
        "total": "150 000,00",
        "cap": "3000",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=60)).isoformat(),
        "decision_reference": "CP-2020-0412",
        "convention_date": today.isoformat(),
    }
    for item in campaign.item_types.all():
        data[f"rate_{item.pk}"] = "1,50"
    data.update(overrides)
    return data


def test_a_funders_person_opens_an_envelope_from_the_form(client):
    audited_campaign()
    campaign = Campaign.objects.get()
    funder = FunderFactory()
    login(client, funder_user(funder))
    url = reverse("funding:envelope_create") + f"?campagne={campaign.pk}"
    page = client.get(url).content.decode()
    # Only the funder the user belongs to is offered, and it is the one pre-selected.
    assert funder.name in page and "Conseil régional de Bretagne" not in page
    assert client.get(url).context["form"]["funder"].value() == funder.pk

    response = client.post(url, _envelope_post(funder, campaign))  # confirm first
    assert response.status_code == 200 and 'name="confirmation"' in response.content.decode()
    assert not Envelope.objects.exists() and not LedgerEntry.objects.exists()
    response = client.post(url, _envelope_post(funder, campaign, confirmation="1"))

    envelope = Envelope.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("funding:envelope_manage", kwargs={"slug": envelope.slug})
    assert envelope.total_cents == 15_000_000 and envelope.cap_cents == 300_000
    assert set(envelope.rates.values_list("cents_per_unit", flat=True)) == {150}
    assert LedgerEntry.objects.filter(kind="envelope_opened").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total", "12,345", "deux chiffres après la virgule"),
        ("total", "-100", "négatif"),
        ("cap", "dix euros", "n'est pas un montant"),
        ("closes_on", "2000-01-01", "ne peut pas précéder"),
    ],
)
def test_bad_envelope_input_is_answered_at_the_field_and_nothing_written(
    client, field, value, message
):
    audited_campaign()
    campaign = Campaign.objects.get()
    funder = FunderFactory()
    login(client, funder_user(funder))
    response = client.post(
        reverse("funding:envelope_create") + f"?campagne={campaign.pk}",
        _envelope_post(funder, campaign, **{field: value}),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Envelope.objects.exists() and not LedgerEntry.objects.exists()


def test_a_platform_wide_role_publishes_in_nobodys_name(client):
    """A funder role without an actor, an administrator, a superuser: none of them opens an
    envelope in the name of a funder they do not belong to."""
    audited_campaign()
    campaign = Campaign.objects.get()
    funder = FunderFactory()
    for user in (
        user_with_role("funder"),
        user_with_role("platform_admin"),
        UserFactory(is_superuser=True),
    ):
        login(client, user)
        assert client.get(reverse("funding:envelope_create")).status_code == 403
        response = client.post(
            reverse("funding:envelope_create"), _envelope_post(funder, campaign, confirmation="1")
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_envelope(
            UserFactory(is_superuser=True),
            funder=funder,
            campaign=campaign,
            name="x",
            total_cents=100,
            opens_on=YESTERDAY,
            closes_on=YESTERDAY,
            decision_reference="x",
            convention_date=YESTERDAY,
        )
    assert not Envelope.objects.exists()


def test_with_two_funders_none_is_pre_selected(client):
    audited_campaign()
    user = funder_user(FunderFactory())
    from kenlabour.accounts.enums import Role
    from kenlabour.funding.tests.factories import _grant

    _grant(user, Role.FUNDER, FunderFactory())
    login(client, user)
    form = client.get(reverse("funding:envelope_create")).context["form"]
    assert form["funder"].value() is None
    assert form.fields["funder"].queryset.count() == 2


def _opened(client):
    audited_campaign()
    campaign = Campaign.objects.get()
    funder = FunderFactory()
    user = funder_user(funder)
    login(client, user)
    url = reverse("funding:envelope_create") + f"?campagne={campaign.pk}"
    client.post(url, _envelope_post(funder, campaign, confirmation="1"))
    return Envelope.objects.get(), user, campaign, funder


def test_an_envelope_is_edited_before_any_claim(client):
    envelope, _user, campaign, funder = _opened(client)
    url = reverse("funding:envelope_edit", kwargs={"slug": envelope.slug})
    manage = client.get(reverse("funding:envelope_manage", kwargs={"slug": envelope.slug}))
    assert url in manage.content.decode()
    assert client.get(url).status_code == 200
    data = _envelope_post(funder, campaign, total="200 000", confirmation="1")
    del data["funder"]
    response = client.post(url, data)
    assert response.status_code == 302
    envelope.refresh_from_db()
    assert envelope.total_cents == 20_000_000
    correction = LedgerEntry.objects.get(kind="correction")
    assert correction.payload["total_cents"] == 20_000_000


def test_an_envelope_is_withdrawn_before_any_claim_and_not_after(client):
    envelope, *_ = _opened(client)
    url = reverse("funding:envelope_withdraw", kwargs={"slug": envelope.slug})
    response = client.post(url)
    assert response.status_code == 200 and 'name="confirmation"' in response.content.decode()
    assert Envelope.objects.exists()
    response = client.post(url, {"confirmation": "1"})
    assert response.status_code == 302 and not Envelope.objects.exists()
    assert LedgerEntry.objects.get(kind="correction").payload["withdrawn"] is True
    assert services.ledger.broken_positions() == []
    # Once a claim rests on an envelope, neither is possible.
    w = money_world(asks=(100_000,))
    login(client, w.funder_user)
    slug = {"slug": w.envelope.slug}
    manage = client.get(reverse("funding:envelope_manage", kwargs=slug)).content.decode()
    assert reverse("funding:envelope_withdraw", kwargs=slug) not in manage
    client.post(reverse("funding:envelope_withdraw", kwargs=slug), {"confirmation": "1"})
    assert Envelope.objects.filter(pk=w.envelope.pk).exists()
    with pytest.raises(ValidationError):
        services.withdraw_envelope(w.funder_user, w.envelope)


def test_people_who_are_not_funders_cannot_open_envelopes(client):
    audited_campaign()
    funder = FunderFactory()
    campaign = Campaign.objects.get()
    for user in (
        UserFactory(),
        user_with_role("relay_treasurer"),
        user_with_role("platform_admin"),
    ):
        login(client, user)
        assert client.get(reverse("funding:envelope_create")).status_code == 403
        response = client.post(reverse("funding:envelope_create"), _envelope_post(funder, campaign))
        assert response.status_code == 403
    # A funder's person cannot open one in another funder's name either.
    login(client, funder_user(FunderFactory()))
    response = client.post(
        reverse("funding:envelope_create"), _envelope_post(funder, campaign, confirmation="1")
    )
    assert response.status_code == 200
    assert "funder" in response.context["form"].errors
    assert not Envelope.objects.exists()


# --- envelope management --------------------------------------------------------------------


def test_the_envelopes_page_shows_figures_recomputed_from_the_claims(client):
    w = money_world(asks=OVERSUBSCRIBED)
    Claim.objects.create(
        envelope=w.envelope,
        claimant=Actor.objects.filter(claims__isnull=False).first(),
        relay=w.relay,
        status=ClaimStatus.SUBMITTED,
        units_cents=1_000,
    )
    login(client, w.funder_user)
    response = client.get(reverse("funding:envelope_manage", kwargs={"slug": w.envelope.slug}))
    figures = response.context["figures"]
    approved = Claim.objects.filter(envelope=w.envelope, status=ClaimStatus.APPROVED)
    asked = sum(c.units_cents + c.expenses_cents for c in approved)
    assert figures.asked_cents == asked == sum(OVERSUBSCRIBED)
    assert figures.waiting == 1
    assert figures.oversubscribed
    assert figures.percent == round(Decimal(100 * asked) / w.envelope.total_cents, 1)
    page = response.content.decode()
    assert format_euros(asked) in page
    assert "Calculer la répartition" in page


def test_allocating_and_transfers_from_the_page(client):
    w = money_world(asks=OVERSUBSCRIBED)
    login(client, w.funder_user)
    manage = reverse("funding:envelope_manage", kwargs={"slug": w.envelope.slug})
    url = reverse("funding:allocate", kwargs={"slug": w.envelope.slug})
    count = LedgerEntry.objects.count()
    response = client.post(url)  # first the confirmation step: nothing written
    page = response.content.decode()
    assert response.status_code == 200 and 'name="confirmation"' in page
    assert f"{len(OVERSUBSCRIBED)} demandes approuvées à répartir" in page
    assert LedgerEntry.objects.count() == count
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.APPROVED}
    response = client.post(url, {"confirmation": "1"})
    assert response.status_code == 302 and response.url == manage + "#repartition"
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.SCHEDULED}

    response = client.post(
        reverse("funding:transfer_add", kwargs={"slug": w.envelope.slug}),
        {
            "virement-relay": w.relay.pk,
            "virement-amount": "2 500,50",
            "virement-date": YESTERDAY.isoformat(),
            "virement-bank_reference": "RB-2020-29-1",
        },
    )
    assert response.status_code == 200 and not Transfer.objects.exists()  # confirm first
    response = client.post(
        reverse("funding:transfer_add", kwargs={"slug": w.envelope.slug}),
        {
            "virement-relay": w.relay.pk,
            "virement-amount": "2 500,50",
            "virement-date": YESTERDAY.isoformat(),
            "virement-bank_reference": "RB-2020-29-1",
            "confirmation": "1",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(kind=TransferKind.FUNDER_TO_RELAY)
    assert transfer.amount_cents == 250_050
    figures = client.get(manage).context["figures"]
    by_relay = {m.relay.pk: m for m in figures.relays}
    allocated_29 = sum(
        c.allocated_cents for c in Claim.objects.filter(envelope=w.envelope, relay=w.relay)
    )
    assert by_relay[w.relay.pk].allocated_cents == allocated_29
    assert by_relay[w.relay.pk].received_cents == 250_050
    assert by_relay[w.relay.pk].to_receive_cents == allocated_29 - 250_050


def test_a_bad_transfer_is_answered_at_the_field(client):
    w = money_world()
    login(client, w.funder_user)
    response = client.post(
        reverse("funding:transfer_add", kwargs={"slug": w.envelope.slug}),
        {
            "virement-relay": w.relay.pk,
            "virement-amount": "-5",
            "virement-date": YESTERDAY.isoformat(),
            "virement-bank_reference": "RB",
        },
    )
    assert response.status_code == 200
    assert "négatif" in " ".join(response.context["transfer_form"].errors["amount"])
    assert not Transfer.objects.exists()


def test_a_round_with_no_new_approved_claim_says_so(client):
    w = allocated_world()
    login(client, w.funder_user)
    response = client.post(
        reverse("funding:allocate", kwargs={"slug": w.envelope.slug}),
        {"confirmation": "1"},
        follow=True,
    )
    assert "rien à répartir" in response.content.decode()


def test_only_the_envelopes_funder_manages_it_no_superuser_nor_administrator(client):
    w = money_world(asks=(100_000,))
    slug = {"slug": w.envelope.slug}
    outsiders = [
        funder_user(FunderFactory()),  # another funder's person
        w.treasurer_user,
        UserFactory(),
        UserFactory(is_superuser=True, is_staff=True),
        user_with_role("platform_admin"),
    ]
    for user in outsiders:
        login(client, user)
        assert client.get(reverse("funding:envelope_manage", kwargs=slug)).status_code == 403
        assert client.post(reverse("funding:allocate", kwargs=slug)).status_code == 403
        assert client.post(reverse("funding:transfer_add", kwargs=slug), {}).status_code == 403
    assert Claim.objects.get().status == ClaimStatus.APPROVED
    for user in (w.funder_user, user_with_role("funder")):
        login(client, user)
        assert client.get(reverse("funding:envelope_manage", kwargs=slug)).status_code == 200


# --- payouts --------------------------------------------------------------------------------


def test_the_treasurer_pays_and_a_second_click_pays_nothing_more(client):
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    claim = w.claims[0]
    url = reverse("funding:pay", kwargs={"pk": claim.pk})
    login(client, w.treasurer_user)
    assert "Enregistrer le paiement" in client.get(url).content.decode()
    data = {"date": YESTERDAY.isoformat(), "bank_reference": "VIR-2020-0001"}
    confirm = client.post(url, data)
    assert 'name="confirmation"' in confirm.content.decode()
    assert not Transfer.objects.exists()
    data["confirmation"] = "1"

    first = client.post(url, data, follow=True).content.decode()
    second = client.post(url, data, follow=True).content.decode()

    assert "Paiement de" in first and "enregistré" in first
    assert "déjà payée" in second
    assert Transfer.objects.filter(claim=claim).count() == 1
    assert LedgerEntry.objects.filter(kind="transfer").count() == 1


def test_only_the_treasurer_of_the_claims_relay_pays_it(client):
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    url = reverse("funding:pay", kwargs={"pk": w.claims[0].pk})
    data = {"date": YESTERDAY.isoformat(), "bank_reference": "VIR-1"}
    for user in (w.other_treasurer, w.funder_user, user_with_role("platform_admin")):
        login(client, user)
        assert client.post(url, data).status_code == 403
    assert not Transfer.objects.exists()
    # The other relay's treasurer does not even see it; an administrator does, without form.
    login(client, w.other_treasurer)
    assert client.get(url).status_code == 403
    login(client, user_with_role("platform_admin"))
    page = client.get(url)
    assert page.status_code == 200 and "Enregistrer le paiement" not in page.content.decode()


def test_a_payment_without_reference_is_answered_at_the_field(client):
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    login(client, w.treasurer_user)
    response = client.post(
        reverse("funding:pay", kwargs={"pk": w.claims[0].pk}),
        {"date": YESTERDAY.isoformat(), "bank_reference": ""},
    )
    assert response.status_code == 200
    assert "bank_reference" in response.context["form"].errors
    assert not Transfer.objects.exists()


# --- coverage and ledger --------------------------------------------------------------------


def test_an_administrator_reconfigures_coverage_and_everyone_sees_the_history(client):
    w = money_world()
    login(client, user_with_role("platform_admin"))
    response = client.post(
        reverse("funding:coverages"),
        {
            "relay": w.relay.pk,
            "departement": "56",
            "valid_from": "2021-01-01",
        },
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("funding:coverages"))
    rows = page.context["rows"]
    morbihan = [r for r in rows if r.coverage.departement_id == "56"]
    assert [(r.coverage.relay, r.past, r.current) for r in morbihan] == [
        (w.other_relay, True, False),
        (w.relay, False, True),
    ]
    assert "Enregistrer la couverture" not in page.content.decode()


def test_only_administrators_post_coverage(client):
    w = money_world()
    for user in (w.funder_user, w.treasurer_user):
        login(client, user)
        response = client.post(
            reverse("funding:coverages"),
            {"relay": w.relay.pk, "departement": "56", "valid_from": "2021-01-01"},
        )
        assert response.status_code == 403
    assert Coverage.objects.filter(departement=Departement.objects.get(code="56")).count() == 1


def test_the_ledger_page_shows_the_verification(client):
    allocated_world()
    login(client, user_with_role("platform_admin"))
    page = client.get(reverse("funding:ledger")).content.decode()
    assert "Registre intact" in page
    last = LedgerEntry.objects.order_by("-position").first()
    assert last.hash in page
    first = LedgerEntry.objects.order_by("position").first()
    altered = {**first.payload, "total_cents": first.payload["total_cents"] + 1}
    LedgerEntry.objects.filter(pk=first.pk).update(payload=altered)
    page = client.get(reverse("funding:ledger")).content.decode()
    assert "Registre altéré" in page


def test_the_ledger_is_open_to_everyone_treasurers_included(client):
    allocated_world()
    for user in (
        None,
        UserFactory(),
        user_with_role("relay_treasurer"),
        funder_user(FunderFactory()),
    ):
        client.logout()
        if user is not None:
            login(client, user)
        assert client.get(reverse("funding:ledger")).status_code == 200


def test_the_ledger_reads_in_words_with_the_raw_form_one_click_away(client):
    from kenlabour.funding import ledger_chain
    from kenlabour.funding.tests.pages_money import approved_claim
    from kenlabour.network.tests.factories import PersonFactory

    w = money_world(total_cents=1_000_000, cap_cents=None, asks=(100_000,))
    # A person who did not consent to be named.
    anonymous = PersonFactory(name="Yann Le Gall", public_consent=False)
    late = approved_claim(w, 10_000, claimant=anonymous)
    services.allocate(w.funder_user, w.envelope)
    paid = Claim.objects.get(pk=w.claims[0].pk)
    services.pay_claim(w.treasurer_user, paid, date=YESTERDAY, bank_reference="VIR-2020-0001")
    page = client.get(reverse("funding:ledger")).content.decode()
    assert "amount_cents :" not in page  # no raw key/value list any more
    # The payout, in words: relay, amount in euros, claimant by name, date, reference.
    payout = Transfer.objects.get(claim=paid)
    words = f"{w.relay.name} verse {format_euros(payout.amount_cents)} à {paid.claimant.name}"
    assert words.replace("'", "&#x27;") in page
    # The bank reference is not public: only its salted hash is.
    assert "VIR-2020-0001" not in page
    assert "Référence bancaire réservée au financeur et au relais." in page
    # The person stays anonymous; the raw canonical form is there, in a <details>.
    assert "Yann Le Gall" not in page and "Personne anonyme" in page
    entry = LedgerEntry.objects.filter(kind="allocation", payload__claim=late.pk).get()
    late.refresh_from_db()
    share = format_euros(late.allocated_cents)
    assert f"Part de {share} attribuée à la demande n° {late.pk} de Personne anonyme" in page
    hashed = ledger_chain.hashed_json(
        entry.position, entry.kind, entry.recorded_at, entry.previous_hash, entry.payload
    )
    assert "<details>" in page
    assert hashed.replace('"', "&quot;") in page
    assert ledger_chain.sha256(hashed) == entry.hash
    assert entry.hash in page
    # The treasurer of the relay and the envelope's funder read the reference.
    for reader in (w.treasurer_user, w.funder_user):
        login(client, reader)
        page = client.get(reverse("funding:ledger")).content.decode()
        assert "Référence bancaire : VIR-2020-0001." in page
        client.logout()


# --- bounds: dates and amounts out of range answered at the field ----------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("virement-date", "0001-01-01", "Indiquez une date entre le 1 janvier 2000"),
        ("virement-date", "99999-01-01", "date valide"),
        (
            "virement-amount",
            "99999999999999999999",
            "ne dépasse pas 1\u00a0000\u00a0000\u00a0000,00",
        ),
        ("virement-amount", "1000000000,01", "ne dépasse pas"),
    ],
)
def test_a_transfer_out_of_range_is_refused_at_the_field(client, field, value, message):
    w = money_world()
    login(client, w.funder_user)
    data = {
        "virement-relay": w.relay.pk,
        "virement-amount": "100",
        "virement-date": YESTERDAY.isoformat(),
        "virement-bank_reference": "RB-1",
        "confirmation": "1",
        field: value,
    }
    response = client.post(reverse("funding:transfer_add", kwargs={"slug": w.envelope.slug}), data)
    assert response.status_code == 200
    errors = response.context["transfer_form"].errors[field.removeprefix("virement-")]
    assert message in " ".join(errors)
    assert not Transfer.objects.exists()


def test_a_payment_dated_year_one_is_refused_at_the_field(client):
    w = money_world(asks=(400_000,))
    services.allocate(w.funder_user, w.envelope)
    login(client, w.treasurer_user)
    response = client.post(
        reverse("funding:pay", kwargs={"pk": w.claims[0].pk}),
        {"date": "0001-01-01", "bank_reference": "VIR-1", "confirmation": "1"},
    )
    assert response.status_code == 200
    assert "entre le 1 janvier 2000" in " ".join(response.context["form"].errors["date"])
    assert not Transfer.objects.exists()


def test_a_coverage_dated_year_one_is_refused_at_the_field(client):
    w = money_world()
    login(client, user_with_role("platform_admin"))
    before = Coverage.objects.count()
    response = client.post(
        reverse("funding:coverages"),
        {"relay": w.relay.pk, "departement": "56", "valid_from": "0001-01-01"},
    )
    assert response.status_code == 200
    assert "entre le 1 janvier 2000" in " ".join(response.context["form"].errors["valid_from"])
    assert Coverage.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("total", "92233720368547758080"), ("cap", "2000000000"), ("opens_on", "0001-01-01")],
)
def test_an_envelope_out_of_range_is_refused_at_the_field(client, field, value):
    audited_campaign()
    campaign = Campaign.objects.get()
    funder = FunderFactory()
    login(client, funder_user(funder))
    response = client.post(
        reverse("funding:envelope_create") + f"?campagne={campaign.pk}",
        _envelope_post(funder, campaign, confirmation="1", **{field: value}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Envelope.objects.exists() and not LedgerEntry.objects.exists()


def test_the_services_refuse_out_of_range_values_too():
    w = money_world(asks=(400_000,))
    with pytest.raises(ValidationError) as refused:
        services.add_transfer(
            w.funder_user,
            w.envelope,
            relay=w.relay,
            amount_cents=2**63,
            date=datetime.date(1, 1, 1),
            bank_reference="RB",
        )
    assert set(refused.value.message_dict) == {"amount", "date"}
    with pytest.raises(ValidationError) as refused:
        services.add_coverage(
            user_with_role("platform_admin"),
            relay=w.relay,
            departement=Departement.objects.get(code="56"),
            valid_from=datetime.date(1, 1, 1),
        )
    assert "valid_from" in refused.value.message_dict
    assert not Transfer.objects.exists()
