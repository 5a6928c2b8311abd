"""The SCDL « subventions » export, validated against the shipped schema with
frictionless, and the relay's XLSX statement with who may download it."""

import csv
import io
import json
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from frictionless import Resource, Schema, validate
from openpyxl import load_workbook

from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding import exports
from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, Transfer
from kenlabour.funding.tests.factories import EnvelopeFactory, funder_user, treasurer
from kenlabour.funding.tests.pages_public import granted_envelope

pytestmark = pytest.mark.django_db

GRANTED = [ClaimStatus.SCHEDULED, ClaimStatus.PAID]


def _validate(tmp_path, content: bytes):
    path = tmp_path / "subventions.csv"
    path.write_bytes(content)
    schema = Schema.from_descriptor(exports.scdl_schema())
    resource = Resource(path=path.name, basepath=str(tmp_path), schema=schema)
    report = resource.validate()
    # Nothing said twice: the module-level validate() agrees.
    assert validate(resource).valid == report.valid
    return report


def test_shipped_schema_is_scdl_subventions_with_its_16_columns():
    schema = json.loads(exports.SCDL_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["name"] == "subventions"
    names = [f["name"] for f in schema["fields"]]
    assert len(names) == 16
    # 2.1.0 added the RNA number and the aid scheme to the 2.0 columns.
    assert {"rnaBeneficiaire", "dispositifAide", "idBeneficiaire", "montant"} <= set(names)


def test_scdl_export_is_valid_and_tells_each_relays_part(client, tmp_path):
    granted = granted_envelope()
    envelope = granted.envelope
    response = client.get(reverse("funding:scdl_csv", kwargs={"slug": envelope.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content
    assert not content.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte-order mark
    report = _validate(tmp_path, content)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["errors"] == 0

    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert [list(rows[0])] == [exports.scdl_columns()]
    granted_claims = Claim.objects.filter(envelope=envelope, status__in=GRANTED)
    total = granted_claims.aggregate(t=Sum("allocated_cents"))["t"]
    assert {row["nomBeneficiaire"] for row in rows} == {r.name for r in granted.relays}
    for row in rows:
        relay = next(r for r in granted.relays if r.name == row["nomBeneficiaire"])
        assert row["idBeneficiaire"] == relay.siret
        assert row["nomAttribuant"] == envelope.funder.name
        assert row["idAttribuant"] == envelope.funder.siret
        assert row["referenceDecision"] == envelope.decision_reference
        assert Decimal(row["montant"]) * 100 == total
        relay_cents = granted_claims.filter(relay=relay).aggregate(t=Sum("allocated_cents"))["t"]
        # The part gives back the relay's amount to the cent.
        back = (Decimal(total) * Decimal(row["pourcentageSubvention"])).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
        assert back == relay_cents
        dates = sorted(
            Transfer.objects.filter(
                envelope=envelope, relay=relay, kind=TransferKind.FUNDER_TO_RELAY
            ).values_list("date", flat=True)
        )
        expected = (
            dates[0].isoformat()
            if dates[0] == dates[-1]
            else f"{dates[0].isoformat()}/{dates[-1].isoformat()}"
        )
        assert row["datesPeriodeVersement"] == expected
        assert row["conditionsVersement"] == ("échelonné" if len(dates) > 1 else "unique")
    assert sum(Decimal(row["pourcentageSubvention"]) for row in rows) == pytest.approx(1)


def test_scdl_export_before_allocation_is_the_header_only_and_valid(client, tmp_path):
    envelope = EnvelopeFactory()
    content = client.get(reverse("funding:scdl_csv", kwargs={"slug": envelope.slug})).content
    assert content.decode("utf-8").strip() == ",".join(exports.scdl_columns())
    assert _validate(tmp_path, content).valid


def test_validation_catches_a_funder_without_siret(client, tmp_path):
    """The check is not blind: the standard requires the funder's SIRET."""
    granted = granted_envelope()
    funder = granted.envelope.funder
    funder.siret = ""
    funder.save(update_fields=["siret"])
    content = client.get(
        reverse("funding:scdl_csv", kwargs={"slug": granted.envelope.slug})
    ).content
    report = _validate(tmp_path, content)
    assert not report.valid
    fields = {error[0] for error in report.flatten(["fieldName"])}
    assert fields == {"idAttribuant"}


def test_scdl_export_with_tricky_text_stays_valid(client, tmp_path):
    """Commas, quotes and line breaks in names are quoted as CSV wants."""
    granted = granted_envelope()
    relay = granted.relays[0]
    relay.name = 'Relais "Penn-ar-Bed", Brest\net alentours'
    relay.save(update_fields=["name"])
    content = client.get(
        reverse("funding:scdl_csv", kwargs={"slug": granted.envelope.slug})
    ).content
    report = _validate(tmp_path, content)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    resource = Resource(data=content, format="csv")
    names = [row["nomBeneficiaire"] for row in resource.read_rows()]
    assert relay.name in names


@pytest.mark.parametrize(
    ("part", "total"),
    [(1, 3), (2, 3), (1, 7), (123_456, 999_999), (99_999_999, 100_000_000), (5, 5), (1, 10_000)],
)
def test_part_gives_the_amount_back_to_the_cent(part, total):
    text = exports.part_text(part, total)
    value = Decimal(text)
    assert Decimal("0.01") <= value <= 1
    if part * 100 >= total:  # at least 1 %: exact
        assert (Decimal(total) * value).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) == part


# --- the relay's statement -------------------------------------------------------------


def _statement(client, granted, relay):
    url = reverse(
        "funding:relay_statement", kwargs={"slug": granted.envelope.slug, "relay": relay.slug}
    )
    return client.get(url)


def _sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_relay_statement_is_restricted(client):
    granted = granted_envelope()
    finistere, ille = granted.relays
    response = _statement(client, granted, ille)
    assert response.status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert _statement(client, granted, ille).status_code == 403
    client.force_login(treasurer(finistere))
    assert _statement(client, granted, ille).status_code == 403  # another relay's
    assert _statement(client, granted, finistere).status_code == 200
    client.force_login(funder_user(EnvelopeFactory().funder))
    assert _statement(client, granted, ille).status_code == 403  # another funder
    for user in (funder_user(granted.envelope.funder), user_with_role(Role.PLATFORM_ADMIN)):
        client.force_login(user)
        assert _statement(client, granted, ille).status_code == 200


def test_relay_statement_lists_the_relays_claims_with_their_payouts(client):
    granted = granted_envelope()
    ille = granted.relays[1]
    client.force_login(treasurer(ille))
    response = _statement(client, granted, ille)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    rows = _sheet_rows(response.content)
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Demande n°")
    body = [row for row in rows[header_at + 1 :] if isinstance(row[0], int)]
    claims = Claim.objects.filter(envelope=granted.envelope, relay=ille).exclude(
        status__in=[ClaimStatus.DRAFT, ClaimStatus.CANCELLED]
    )
    assert sorted(row[0] for row in body) == sorted(claims.values_list("pk", flat=True))
    private = granted.claims["private"]
    row = next(r for r in body if r[0] == private.pk)
    assert row[1] == "Loïc Discret"  # the relay knows its claimants
    assert Decimal(str(row[8])) * 100 == private.allocated_cents
    payout = Transfer.objects.get(claim=private)
    assert Decimal(str(row[9])) * 100 == payout.amount_cents
    assert row[11] == payout.bank_reference
    total = rows[-1]
    assert total[0] == "Total"
    assert Decimal(str(total[8])) * 100 == sum(c.allocated_cents or 0 for c in claims)


def test_funder_gets_the_statement_with_people_anonymised(client):
    granted = granted_envelope()
    ille = granted.relays[1]
    client.force_login(funder_user(granted.envelope.funder))
    rows = _sheet_rows(_statement(client, granted, ille).content)
    names = [row[1] for row in rows]
    assert "Loïc Discret" not in names
    assert "Personne anonyme" in names


def test_envelope_page_offers_the_statements_to_the_relays_treasurer(client):
    granted = granted_envelope()
    finistere, ille = granted.relays
    client.force_login(treasurer(finistere))
    html = client.get(
        reverse("funding:envelope", kwargs={"slug": granted.envelope.slug})
    ).content.decode()
    assert f"{finistere.slug}.xlsx" in html
    assert f"{ille.slug}.xlsx" not in html
