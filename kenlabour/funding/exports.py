"""The envelope's files: the grant to the relays in the SCDL « subventions » standard
(CSV), and a relay's statement (XLSX).

SCDL « subventions » 2.1.0 (schema.data.gouv.fr, a Table Schema of 16 columns; the schema
file ships in `data/`, unchanged, and the tests validate every export against it with
frictionless). The file is what the standard expects: UTF-8 without a byte-order mark,
a comma between cells, a dot in decimals, the columns in the schema's order, `oui`/`non`
for booleans. People open it in a spreadsheet too: a text column (a `string` of the
schema) whose value would run as a formula (a name beginning with `=`…) gets an apostrophe
in front (kenlabour.web.spreadsheets); the numeric columns stay numbers.

One row per relay, that is per (funder → relay) part of the envelope's decision:
- `nomAttribuant`/`idAttribuant`: the funder's name and SIRET;
- `nomBeneficiaire`/`idBeneficiaire`: the relay's name and SIRET;
- `montant`: the standard defines it as the *total* amount of the grant, before sharing
  among several beneficiaries, and `pourcentageSubvention` as each beneficiary's part.
  The grant here is what the allocation granted through the relays: the sum of the shares
  of the claims scheduled for payment or paid (not the envelope's ceiling: what is not
  granted is not a subsidy). Each relay's row carries that total and the relay's part
  (its claims' shares ÷ the total), written with as many decimals as needed for
  `montant × pourcentageSubvention` to give back the relay's amount to the cent. The
  schema floors the part at 0.01: a relay with less than 1 % is written 0.01.
- `datesPeriodeVersement`: the dates of the funder → relay transfers (one date, or the
  period from the first to the last); none yet: the envelope's period, from the
  convention to the closing of claims. `conditionsVersement`: « unique » for at most one
  transfer, « échelonné » otherwise.
- `nature`: « aide en numéraire »; `notificationUE`: non; `referenceDecision` and
  `dateConvention`: the envelope's; `rnaBeneficiaire`, `idRAE`, `dispositifAide`: empty.
Before the allocation, no claim has a share: the file holds the header only.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from kenlabour.funding.models import Envelope
from kenlabour.funding.selectors.public import RelayGrant, StatementRow
from kenlabour.web import spreadsheets as writers

SCDL_SCHEMA_PATH = Path(__file__).parent / "data" / "scdl-subventions-2.1.0.json"
SCDL_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = writers.XLSX_CONTENT_TYPE
OBJET_MAX = 256
MIN_PART = Decimal("0.01")
# The response header carrying the ledger's head ("POSITION:HASH") with the SCDL file.
LEDGER_HEAD_HEADER = "Kenlabour-Ledger-Head"


@cache
def _scdl_schema_text() -> str:
    return SCDL_SCHEMA_PATH.read_text(encoding="utf-8")


def scdl_schema() -> dict:
    """The SCDL schema (a fresh copy: the caller may change it)."""
    return json.loads(_scdl_schema_text())


def scdl_columns() -> list[str]:
    return [f["name"] for f in scdl_schema()["fields"]]


def euros_text(cents: int) -> str:
    """12345 -> "123.45" (exact, from integer cents)."""
    euros, rest = divmod(int(cents), 100)
    return f"{euros}.{rest:02d}"


def part_text(part_cents: int, total_cents: int) -> str:
    """A relay's part of the grant as a decimal with enough digits for
    total × part to round back to the relay's cents; at least 0.01 (the schema's floor)."""
    if total_cents <= 0:
        return "1"
    digits = len(str(total_cents)) + 1
    part = (Decimal(part_cents) / Decimal(total_cents)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN
    )
    part = max(part, MIN_PART)
    text = format(part.normalize(), "f")
    return text


def _period(dates: list[datetime.date], envelope: Envelope) -> str:
    if dates:
        first, last = min(dates), max(dates)
    else:
        first = envelope.convention_date
        last = max(envelope.closes_on, envelope.convention_date)
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def scdl_objet(envelope: Envelope, relay_name: str) -> str:
    text = _(
        "%(envelope)s : compensation des producteurs de la mobilisation « %(campaign)s », "
        "redistribuée par %(relay)s"
    ) % {"envelope": envelope.name, "campaign": envelope.campaign.name, "relay": relay_name}
    text = writers.neutral(text)
    return text if len(text) <= OBJET_MAX else text[: OBJET_MAX - 1] + "…"


def scdl_rows(envelope: Envelope, grants: list[RelayGrant]) -> list[dict[str, str]]:
    total = sum(grant.allocated_cents for grant in grants)
    funder = envelope.funder
    rows = []
    for grant in grants:
        rows.append(
            {
                "nomAttribuant": funder.name,
                "idAttribuant": funder.siret,
                "dateConvention": envelope.convention_date.isoformat(),
                "referenceDecision": envelope.decision_reference,
                "nomBeneficiaire": grant.relay.name,
                "idBeneficiaire": grant.relay.siret,
                "rnaBeneficiaire": "",
                "objet": scdl_objet(envelope, grant.relay.name),
                "montant": euros_text(total),
                "nature": "aide en numéraire",
                "conditionsVersement": "échelonné"
                if len(grant.funder_transfer_dates) > 1
                else "unique",
                "datesPeriodeVersement": _period(grant.funder_transfer_dates, envelope),
                "idRAE": "",
                "notificationUE": "non",
                "pourcentageSubvention": part_text(grant.allocated_cents, total),
                "dispositifAide": "",
            }
        )
    return rows


def scdl_filename(envelope: Envelope, head: tuple[int, str] | None) -> str:
    """The file's name, carrying the ledger's head when it was exported: the standard fixes
    the columns, so the head travels with the file in its name."""
    if not head:
        return f"subventions-{envelope.slug}.csv"
    return f"subventions-{envelope.slug}-registre-{head[0]}-{head[1]}.csv"


def scdl_csv(envelope: Envelope, grants: list[RelayGrant]) -> str:
    """The SCDL file's text (encode it in UTF-8)."""
    fields = scdl_schema()["fields"]
    columns = [f["name"] for f in fields]
    text_columns = {f["name"] for f in fields if f["type"] == "string"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in scdl_rows(envelope, grants):
        writer.writerow(
            {
                column: writers.neutral(row.get(column, ""))
                if column in text_columns
                else row.get(column, "")
                for column in columns
            }
        )
    return buffer.getvalue()


# --- a relay's statement ---------------------------------------------------------------


def statement_header() -> list[str]:
    return [
        _("Demande n°"),
        _("Bénéficiaire"),
        _("Statut"),
        _("Déposée le"),
        _("Unités validées"),
        _("Compensation des unités (€)"),
        _("Dépenses validées (€)"),
        _("Demandé (€)"),
        _("Part attribuée (€)"),
        _("Payé (€)"),
        _("Payé le"),
        _("Référence bancaire"),
    ]


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def statement_values(row: StatementRow) -> list:
    claim = row.claim
    return [
        claim.pk,
        row.claimant,
        claim.get_status_display(),
        claim.submitted_on,
        row.units,
        _euros(row.units_cents),
        _euros(row.expenses_cents),
        _euros(row.units_cents + row.expenses_cents),
        _euros(row.allocated_cents),
        _euros(row.paid_cents),
        row.paid_on,
        row.bank_references,
    ]


def relay_statement_xlsx(
    envelope: Envelope, relay, rows: list[StatementRow], *, ledger_head: str = ""
) -> bytes:
    """One sheet: a title block (envelope, funder, relay), the header in bold and frozen,
    a row per claim, then the totals; amounts in euros as numbers (format « # ##0,00 »),
    texts always stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    workbook.properties.title = _("Relevé du relais %(relay)s") % {"relay": relay.name}
    sheet = workbook.create_sheet(title=_("Relevé")[:31])
    bold = Font(bold=True)
    money_columns = {5, 6, 7, 8, 9}
    date_columns = {3, 10}

    def cell(value, *, strong=False, position=None):
        number_format = None
        if position in money_columns:
            number_format = "#,##0.00"
        elif position in date_columns:
            number_format = "DD/MM/YYYY"
        return writers.xlsx_cell(
            sheet, value, font=bold if strong else None, number_format=number_format
        )

    sheet.freeze_panes = "A6"  # below the title block and the header
    sheet.append([cell(_("Enveloppe"), strong=True), cell(envelope.name)])
    sheet.append([cell(_("Financeur"), strong=True), cell(envelope.funder.name)])
    sheet.append([cell(_("Relais"), strong=True), cell(relay.name)])
    # The ledger's head when the statement was made, to check later nothing was removed.
    sheet.append([cell(_("Tête du registre"), strong=True), cell(ledger_head)])
    sheet.append([cell(text, strong=True) for text in statement_header()])
    for row in rows:
        sheet.append([cell(v, position=i) for i, v in enumerate(statement_values(row))])
    totals = [
        _("Total"),
        "",
        "",
        None,
        sum(r.units for r in rows),
        _euros(sum(r.units_cents for r in rows)),
        _euros(sum(r.expenses_cents for r in rows)),
        _euros(sum(r.units_cents + r.expenses_cents for r in rows)),
        _euros(sum(r.allocated_cents or 0 for r in rows)),
        _euros(sum(r.paid_cents for r in rows)),
    ]
    sheet.append([cell(v, strong=True, position=i) for i, v in enumerate(totals)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
