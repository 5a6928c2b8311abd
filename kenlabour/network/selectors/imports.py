"""The import under way of a person, and its file read again at each step."""

from __future__ import annotations

from dataclasses import dataclass

from kenlabour.network import spreadsheet
from kenlabour.network.enums import ImportState
from kenlabour.network.models import PendingImport

# The rows the preview shows.
PREVIEW_ROWS = 5


@dataclass(frozen=True)
class ImportInProgress:
    pending: PendingImport
    sheet: spreadsheet.Sheet


def pending_import(user) -> PendingImport | None:
    """The person's import under way, without its file (for the upload page's notice);
    one already imported is no longer under way."""
    if not user.is_authenticated:
        return None
    return (
        PendingImport.objects.filter(user=user)
        .exclude(state=ImportState.DONE)
        .defer("data")
        .first()
    )


def import_for_progress(user) -> PendingImport | None:
    """The person's last file handed to the task, whatever its state, without its file
    (for the progress page)."""
    if not user.is_authenticated:
        return None
    return (
        PendingImport.objects.filter(user=user)
        .exclude(state=ImportState.READY)
        .defer("data")
        .first()
    )


def import_in_progress(user, *, max_rows: int) -> ImportInProgress | None:
    """The import under way and its file read, or None (none, or its file no longer
    readable: the limits may have changed since it was sent)."""
    if not user.is_authenticated:
        return None
    pending = PendingImport.objects.filter(user=user).exclude(state=ImportState.DONE).first()
    if pending is None:
        return None
    try:
        sheet = spreadsheet.read_sheet(bytes(pending.data), max_rows=max_rows)
    except spreadsheet.SpreadsheetError:
        return None
    return ImportInProgress(pending, sheet)
