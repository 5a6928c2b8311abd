"""The files published with a workshop (its outputs), checked by their content."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab import filetypes
from kenlabour.lab.models import Workshop, WorkshopFile


@transaction.atomic
def attach_file(user, workshop: Workshop, *, title: str, upload) -> WorkshopFile:
    """Publish a file with the workshop, once its content is known to be a document or an
    image (its name proves nothing)."""
    if not can(user, "lab.edit_workshop", workshop):
        raise PermissionDenied(_("Seuls les animateurs de cet atelier publient ses fichiers."))
    if upload.size > filetypes.MAX_SIZE:
        raise ValidationError(
            {
                "file": _("Ce fichier pèse plus de %(size)d Mo : réduisez-le.")
                % {"size": filetypes.MAX_SIZE // (1024 * 1024)}
            }
        )
    head = upload.read(filetypes.HEAD_SIZE)
    upload.seek(0)
    if filetypes.is_executable(head):
        raise ValidationError({"file": _("Ce fichier est un programme : il est refusé.")})
    kind = filetypes.sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "Ce fichier n'est pas d'un format accepté (PDF, image PNG, JPEG, GIF ou "
                    "WebP, document OpenDocument ou Office)."
                )
            }
        )
    title = title.strip()
    stored = WorkshopFile(workshop=workshop, title=title)
    name = f"{slugify(title)[:80] or 'fichier'}.{kind.extension}"
    stored.file.save(name, File(upload), save=False)
    stored.save()
    return stored
