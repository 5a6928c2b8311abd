"""The verification people rely on to trust the public figures: an edit of any column of
the ledger, of an envelope or its rates, of a transfer, or of a claim, its lines and its
expenses that feeds the figures, a row deleted from (or added to) any of them, or the last
entries deleted (against a head kept earlier), is reported, naming the first row that
disagrees. The columns are taken from the models themselves, so a column
added later is covered (or must be listed, with its reason, as not feeding money)."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding import ledger_records
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import (
    Claim,
    ClaimLine,
    Envelope,
    Expense,
    LedgerEntry,
    Rate,
    Transfer,
)
from kenlabour.funding.selectors import public as public_selectors
from kenlabour.funding.selectors import verification
from kenlabour.funding.services import money as services_money
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import EnvelopeFactory, RateFactory
from kenlabour.funding.tests.pages_money import allocated_world, approved_claim
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
)
from kenlabour.network.tests.factories import FablabFactory

pytestmark = pytest.mark.django_db

# LedgerEntry columns not hashed, and why: the id is a surrogate key the database gives;
# the chain is ordered and identified by `position`, which is hashed.
LEDGER_NOT_HASHED = {"id"}


def other_value(model, field, row, w):
    """A different value for `field` of `row`, of the column's type, that the database
    accepts."""
    current = getattr(row, field.attname)
    if field.primary_key:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    if isinstance(field, models.ForeignKey):
        related = field.related_model
        if related.__name__ == "Envelope":
            return EnvelopeFactory(funder=w.funder).pk
        if related.__name__ == "Actor":
            return FablabFactory().pk
        if related._meta.label == "accounts.User":
            return UserFactory().pk
        if related.__name__ == "Delivery":  # a delivery is claimed once: a fresh one
            return DeliveryFactory().pk
        if related.__name__ == "ItemType":
            return ItemTypeFactory().pk
        if related.__name__ == "Campaign":
            return CampaignFactory().pk
        return related.objects.exclude(pk=current).order_by("pk").values_list("pk", flat=True)[0]
    if isinstance(field, models.BooleanField):
        return not current
    if field.choices:
        return next(value for value, _label in field.choices if value != current)
    if isinstance(field, models.DateTimeField):
        return (current or timezone.now()) + datetime.timedelta(seconds=1)
    if isinstance(field, models.FileField):
        return str(current) + "x"
    if isinstance(field, models.DateField):
        return (current or datetime.date(2020, 5, 4)) - datetime.timedelta(days=1)
    if isinstance(field, models.JSONField):
        return {**current, "amount_cents": (current.get("amount_cents") or 0) + 1}
    if isinstance(field, models.IntegerField):
        return (current or 0) + 1000 if field.name == "position" else (current or 0) + 1
    if isinstance(field, models.CharField) and field.max_length == 64:  # a hash
        return ("f" if current[:1] != "f" else "e") + current[1:]
    return current + "x"


def alter(model, row, field, w, **also):
    """Change one column behind the application's back, as an intruder with access to the
    database would (save() refuses edits of the ledger)."""
    value = other_value(model, field, row, w)
    model.objects.filter(pk=row.pk).update(**{field.attname: value}, **also)
    return value


def names(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields]


@pytest.fixture
def w():
    world = allocated_world()
    assert verification.verify().intact, verification.verify().problems()
    return world


# --- the ledger itself ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["first", "middle", "last"])
@pytest.mark.parametrize("column", [n for n in names(LedgerEntry) if n not in LEDGER_NOT_HASHED])
def test_any_column_of_any_entry_edited_is_reported(w, which, column):
    entries = list(LedgerEntry.objects.order_by("position"))
    entry = {"first": entries[0], "middle": entries[len(entries) // 2], "last": entries[-1]}[which]
    alter(LedgerEntry, entry, LedgerEntry._meta.get_field(column), w)
    check = verification.verify()
    assert not check.intact
    assert check.broken, "the chain itself must break, not only the reconciliation"
    assert check.problems()[0].startswith("Écriture ")


def test_the_ledger_columns_not_hashed_are_only_the_surrogate_key():
    assert {LedgerEntry._meta.pk.name} == LEDGER_NOT_HASHED


def test_deleting_the_last_entry_is_caught_with_the_head_kept_before(w):
    head = verification.ledger_head()
    last = LedgerEntry.objects.order_by("-position").first()
    LedgerEntry.objects.filter(pk=last.pk).delete()  # behind the application's back
    check = verification.verify(head=head)
    assert not check.intact
    assert check.broken == [head[0]]
    assert "retirées à la fin" in check.problems()[0]
    # Without the head, the payout it recorded is still missing from the ledger.
    payout = Transfer.objects.get(kind=TransferKind.RELAY_TO_CLAIMANT)
    assert f"Virement n° {payout.pk} : absent du registre." in verification.verify().problems()


# --- the tables the public figures come from ----------------------------------------------


@pytest.mark.parametrize("kind", [TransferKind.FUNDER_TO_RELAY, TransferKind.RELAY_TO_CLAIMANT])
@pytest.mark.parametrize("column", names(Transfer))
def test_any_column_of_a_transfer_edited_is_reported(w, kind, column):
    transfer = Transfer.objects.filter(kind=kind).order_by("pk").first()
    field = Transfer._meta.get_field(column)
    also = {}
    if column == "kind":  # the database ties the kind to the claim (a check constraint)
        also = {"claim": None if transfer.claim_id else w.claims[1].pk}
    elif column == "claim" and transfer.claim_id is None:
        pytest.skip("a transfer to a relay has no claim: the database refuses one")
    alter(Transfer, transfer, field, w, **also)
    check = verification.verify()
    assert not check.intact
    assert check.broken == []  # the ledger is intact: the table was changed
    assert check.problems()[0].startswith("Virement n° ")


def test_an_edited_amount_is_named_with_both_figures(w):
    transfer = Transfer.objects.filter(kind=TransferKind.FUNDER_TO_RELAY).order_by("pk").first()
    Transfer.objects.filter(pk=transfer.pk).update(amount_cents=10_528_301)
    problems = verification.verify().problems()
    assert problems[0] == (
        f"Virement n° {transfer.pk} : montant {format_euros(10_528_301)} au registre "
        f"{format_euros(transfer.amount_cents)}"
    )


def test_an_edited_bank_reference_is_reported_without_showing_it(w):
    transfer = Transfer.objects.get(kind=TransferKind.RELAY_TO_CLAIMANT)
    Transfer.objects.filter(pk=transfer.pk).update(bank_reference="IBAN-DETOURNE")
    problems = verification.verify().problems()
    assert problems == [
        f"Virement n° {transfer.pk} : référence bancaire différente de celle du registre "
        f"(écriture {LedgerEntry.objects.latest('position').position})."
    ]
    assert "IBAN-DETOURNE" not in " ".join(problems)


def test_a_deleted_transfer_is_reported(w):
    transfer = Transfer.objects.filter(kind=TransferKind.FUNDER_TO_RELAY).order_by("pk").first()
    Transfer.objects.filter(pk=transfer.pk).delete()
    assert (
        verification.verify()
        .problems()[0]
        .startswith(f"Virement n° {transfer.pk} : au registre (écriture ")
    )


def test_the_claim_columns_not_kept_are_listed_with_their_reason():
    kept = set(ledger_records.CLAIM_FIELDS.values())
    assert set(names(Claim)) == kept | set(ledger_records.CLAIM_NOT_KEPT)
    assert not kept & set(ledger_records.CLAIM_NOT_KEPT)


@pytest.mark.parametrize("status", [ClaimStatus.PAID, ClaimStatus.SCHEDULED])
@pytest.mark.parametrize("column", names(Claim))
def test_any_column_of_a_granted_claim_edited_is_reported(w, status, column):
    claim = Claim.objects.filter(status=status).order_by("pk").first()
    field = Claim._meta.get_field(column)
    value = alter(Claim, claim, field, w)
    check = verification.verify()
    if field.primary_key:  # put it back: the database checks the claim's lines at the end
        Claim.objects.filter(pk=value).update(id=claim.pk)
    if column in ledger_records.CLAIM_NOT_KEPT:
        assert check.intact  # a note, who typed the draft, when: no money, no figure
        return
    assert not check.intact
    assert check.problems()[0].startswith("Demande n° ")


def test_an_edited_share_is_named_with_both_figures(w):
    claim = Claim.objects.filter(status=ClaimStatus.SCHEDULED).order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).update(allocated_cents=claim.allocated_cents + 500_000)
    assert verification.verify().problems() == [
        f"Demande n° {claim.pk} : part attribuée "
        f"{format_euros(claim.allocated_cents + 500_000)} au registre "
        f"{format_euros(claim.allocated_cents)}"
    ]


def test_a_claim_marked_paid_without_a_payout_is_reported(w):
    claim = Claim.objects.filter(status=ClaimStatus.SCHEDULED).order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID)
    assert verification.verify().problems() == [
        f"Demande n° {claim.pk} : statut Payée au registre Paiement programmé"
    ]


def test_a_claim_granted_outside_the_allocation_is_reported(w):
    claim = Claim.objects.create(
        envelope=w.envelope,
        claimant=FablabFactory(),
        relay=w.relay,
        status=ClaimStatus.SCHEDULED,
        units_cents=100,
        allocated_cents=100,
    )
    assert verification.verify().problems() == [f"Demande n° {claim.pk} : absent du registre."]


def test_a_deleted_claim_is_reported(w):
    claim = Claim.objects.filter(status=ClaimStatus.SCHEDULED).order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).delete()
    assert (
        verification.verify()
        .problems()[0]
        .startswith(f"Demande n° {claim.pk} : sa part est au registre (écriture ")
    )


# --- envelopes and their rates ------------------------------------------------------------


def test_the_envelope_columns_not_kept_are_listed_with_their_reason():
    kept = set(ledger_records.ENVELOPE_FIELDS.values()) - {"rates"}
    assert set(names(Envelope)) == kept | set(ledger_records.ENVELOPE_NOT_KEPT)
    assert not kept & set(ledger_records.ENVELOPE_NOT_KEPT)
    assert set(names(Rate)) == {"envelope", "item_type", "cents_per_unit"} | set(
        ledger_records.RATE_NOT_KEPT
    )


@pytest.mark.parametrize("column", names(Envelope))
def test_any_column_of_an_envelope_edited_is_reported(w, column):
    field = Envelope._meta.get_field(column)
    value = alter(Envelope, w.envelope, field, w)
    check = verification.verify()
    if field.primary_key:  # put it back: the database checks the claims' envelope at the end
        Envelope.objects.filter(pk=value).update(id=w.envelope.pk)
    if column in ledger_records.ENVELOPE_NOT_KEPT:
        assert check.intact  # when the row was written, when the last round ran
        return
    assert not check.intact
    assert check.broken == []  # the ledger is intact: the table was changed
    assert check.problems()[0].startswith("Enveloppe « ")


def test_an_edited_total_is_named_with_both_figures(w):
    Envelope.objects.filter(pk=w.envelope.pk).update(total_cents=10_528_301)
    assert verification.verify().problems() == [
        f"Enveloppe « {w.envelope.slug} » : montant total {format_euros(10_528_301)} au "
        f"registre {format_euros(w.envelope.total_cents)}"
    ]


def test_an_envelope_withdrawn_by_the_service_verifies_and_one_deleted_behind_is_reported(w):
    spare = EnvelopeFactory(funder=w.funder)
    services_money.withdraw_envelope(w.funder_user, spare)
    assert verification.verify().intact
    other = EnvelopeFactory(funder=w.funder)
    Envelope.objects.filter(pk=other.pk).delete()
    assert verification.verify().problems() == [
        f"Enveloppe « {other.slug} » : ouverte au registre (écriture "
        f"{LedgerEntry.objects.order_by('-position').first().position}), absente des "
        "enveloppes."
    ]


def test_an_envelope_added_behind_the_ledgers_back_is_reported(w):
    row = Envelope.objects.get(pk=w.envelope.pk)
    row.pk, row.slug = None, "enveloppe-fantome"
    row.save()
    assert verification.verify().problems() == [
        "Enveloppe « enveloppe-fantome » : absent du registre."
    ]


@pytest.mark.parametrize("column", names(Rate))
def test_any_column_of_a_rate_edited_is_reported(w, column):
    rate = RateFactory(envelope=w.envelope)  # written as a correction of the envelope
    assert verification.verify().intact
    alter(Rate, rate, Rate._meta.get_field(column), w)
    check = verification.verify()
    if column in ledger_records.RATE_NOT_KEPT:
        assert check.intact
        return
    assert not check.intact
    assert check.problems()[0].startswith("Enveloppe « ")


def test_a_deleted_rate_is_reported(w):
    rate = RateFactory(envelope=w.envelope)
    Rate.objects.filter(pk=rate.pk).delete()
    assert (
        verification.verify()
        .problems()[0]
        .startswith(f"Enveloppe « {w.envelope.slug} » : taux aucun au registre type ")
    )


# --- a granted claim's lines and expenses -------------------------------------------------


def test_the_line_and_expense_columns_not_summed_are_listed_with_their_reason():
    summed = {"claim", "units", "cents_per_unit", "live"}
    assert set(names(ClaimLine)) == summed | set(ledger_records.CLAIM_LINE_NOT_KEPT)
    summed = {"claim", "amount_cents", "validated"}
    assert set(names(Expense)) == summed | set(ledger_records.EXPENSE_NOT_KEPT)


@pytest.mark.parametrize(
    ("model", "column"),
    [(ClaimLine, n) for n in names(ClaimLine)] + [(Expense, n) for n in names(Expense)],
)
def test_any_column_of_a_granted_claims_line_or_expense_edited_is_reported(w, model, column):
    claim = Claim.objects.filter(status=ClaimStatus.PAID).order_by("pk").first()
    row = model.objects.filter(claim=claim).order_by("pk").first()
    field = model._meta.get_field(column)
    alter(model, row, field, w)
    check = verification.verify()
    not_kept = (
        ledger_records.CLAIM_LINE_NOT_KEPT
        if model is ClaimLine
        else ledger_records.EXPENSE_NOT_KEPT
    )
    if column in not_kept:
        assert check.intact
        return
    assert not check.intact
    assert check.problems()[0].startswith("Demande n° ")


def test_an_expense_added_to_a_paid_claim_is_named_with_both_figures(w):
    claim = Claim.objects.filter(status=ClaimStatus.PAID).order_by("pk").first()
    expense = claim.expenses.get()
    expense.pk = None
    expense.save()
    assert verification.verify().problems() == [
        f"Demande n° {claim.pk} : dépenses validées (justificatifs) "
        f"{format_euros(2 * claim.expenses_cents)} au registre {format_euros(claim.expenses_cents)}"
    ]


# --- where people read it ---------------------------------------------------------------------


def test_the_ledger_page_names_the_first_row_that_disagrees(client, w):
    transfer = Transfer.objects.filter(kind=TransferKind.FUNDER_TO_RELAY).order_by("pk").first()
    Transfer.objects.filter(pk=transfer.pk).update(amount_cents=10_528_301)
    page = client.get(reverse("funding:ledger")).content.decode()
    assert "Registre altéré" in page
    assert f"Virement n° {transfer.pk} : montant {format_euros(10_528_301)}" in page


def test_the_ledger_page_checks_a_head_a_reader_kept(client, w):
    position, digest = verification.ledger_head()
    url = reverse("funding:ledger")
    page = client.get(url, {"tete": f"{position}:{digest}"}).content.decode()
    assert "est bien dans le registre" in page
    LedgerEntry.objects.filter(position=position).delete()
    page = client.get(url, {"tete": f"{position}:{digest}"}).content.decode()
    assert "Registre altéré" in page and "retirées à la fin" in page
    response = client.get(url, {"tete": "pas une tête"})
    assert response.status_code == 200
    assert "deux-points" in " ".join(response.context["form"].errors["tete"])


def test_verify_ledger_prints_the_head_to_keep_and_checks_it(capsys, w):
    call_command("verify_ledger")
    head = verification.head_text(verification.ledger_head())
    assert f"Tête du registre : {head}" in capsys.readouterr().out
    call_command("verify_ledger", head=head)
    assert "figure dans le registre" in capsys.readouterr().out
    LedgerEntry.objects.filter(position=verification.ledger_head()[0]).delete()
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger", head=head)
    assert error.value.returncode == 1
    assert "retirées à la fin" in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger", head="12:court")
    assert error.value.returncode == 2


# --- the public figures ---------------------------------------------------------------------


def ledger_figures(slug: str) -> dict:
    """The transparency page's money figures, recomputed from the ledger alone."""
    shares, paid, sent = {}, 0, 0
    for entry in LedgerEntry.objects.order_by("position"):
        p = entry.payload
        if p.get("envelope") != slug:
            continue
        if entry.kind == "allocation":
            shares[p["claim"]] = p["allocated_cents"]
        elif p.get("transfer_kind") == TransferKind.RELAY_TO_CLAIMANT:
            paid += p["amount_cents"]
        elif p.get("transfer_kind") == TransferKind.FUNDER_TO_RELAY:
            sent += p["amount_cents"]
    return {"allocated": sum(shares.values()), "paid": paid, "sent": sent}


def page_figures(envelope) -> dict:
    totals = public_selectors.envelope_report(envelope).totals
    return {
        "allocated": totals.allocated_cents,
        "paid": totals.paid_cents,
        "sent": totals.from_funder_cents,
    }


def test_the_public_figures_are_the_ledgers_until_a_row_is_edited(w):
    assert page_figures(w.envelope) == ledger_figures(w.envelope.slug)
    transfer = Transfer.objects.filter(kind=TransferKind.FUNDER_TO_RELAY).order_by("pk").first()
    Transfer.objects.filter(pk=transfer.pk).update(amount_cents=10_528_301)
    # The page now shows a figure the ledger does not prove, and the verification says why.
    assert page_figures(w.envelope) != ledger_figures(w.envelope.slug)
    assert verification.verify().problems()[0].startswith(f"Virement n° {transfer.pk} : montant")


@pytest.mark.parametrize("payload", [[], "x", {"kind": "transfer", "amount_cents": "beaucoup"}])
def test_the_ledger_page_survives_an_entry_altered_into_nonsense(client, w, payload):
    entry = LedgerEntry.objects.order_by("position")[2]
    LedgerEntry.objects.filter(pk=entry.pk).update(payload=payload)
    client.force_login(w.funder_user)
    response = client.get(reverse("funding:ledger"))
    assert response.status_code == 200
    assert "Registre altéré" in response.content.decode()
    with pytest.raises(CommandError):
        call_command("verify_ledger")


def test_the_verification_reads_five_queries_whatever_the_size(w):
    with CaptureQueriesContext(connection) as small:
        assert verification.verify().intact
    for asked in (10_000, 20_000, 30_000):
        approved_claim(w, asked)
    services_money.allocate(w.funder_user, w.envelope)
    RateFactory(envelope=EnvelopeFactory(funder=w.funder))
    with CaptureQueriesContext(connection) as larger:
        assert verification.verify().intact
    assert len(small) == len(larger) == 5
