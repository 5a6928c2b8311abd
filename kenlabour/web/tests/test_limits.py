"""Limits before reading: an upload over its view's limit is refused, in French, before one
byte of its body is read; money pages are never stored by the browser."""

import pytest
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.lab import filetypes
from kenlabour.lab.tests.factories import WorkshopFactory
from kenlabour.network.forms import MAX_IMPORT_BYTES
from kenlabour.network.tests.factories import facilitator
from kenlabour.web.limits import FORM_OVERHEAD

pytestmark = pytest.mark.django_db

DECLARED = 210 * 1024 * 1024  # what a careless upload declares: 210 MB


class BodyThatMustNotBeRead:
    """A request body that fails the test if more than `allowed` bytes are read from it."""

    def __init__(self, allowed: int = 0):
        self.allowed = allowed
        self.read_bytes = 0

    def read(self, size=-1):
        size = DECLARED if size is None or size < 0 else size
        self.read_bytes += size
        if self.read_bytes > self.allowed:
            raise AssertionError(f"the body was read ({self.read_bytes} bytes)")
        return b"x" * size

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 1024)


def send_oversized(client, url, declared=DECLARED):
    body = BodyThatMustNotBeRead()
    response = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=----limite",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": body},
    )
    assert body.read_bytes == 0
    return response


@pytest.mark.parametrize("upload", ["lab_file", "network_import", "funding_receipt"])
def test_an_upload_over_its_limit_is_refused_before_its_body_is_read(client, upload):
    if upload == "lab_file":
        workshop = WorkshopFactory()
        user = UserFactory(is_superuser=True)
        url = reverse("lab:workshop_file_add", kwargs={"slug": workshop.slug})
        limit = filetypes.MAX_SIZE
    elif upload == "network_import":
        user = facilitator()
        url = reverse("network:import")
        limit = MAX_IMPORT_BYTES
    else:
        from kenlabour.funding.services.claims import MAX_RECEIPT_SIZE

        user = UserFactory()
        url = reverse("funding:expense_add", kwargs={"pk": 1})
        limit = MAX_RECEIPT_SIZE
    client.force_login(user)

    response = send_oversized(client, url)

    assert response.status_code == 413
    page = response.content.decode()
    assert "Le fichier envoyé dépasse la taille permise" in page
    assert "Rien n'a été enregistré" in page
    # Just over the limit is refused too; the limit is the file's plus its form's fields.
    assert send_oversized(client, url, limit + FORM_OVERHEAD + 1).status_code == 413


def test_a_form_without_files_takes_a_few_megabytes_at_most(client, settings):
    response = send_oversized(client, reverse("accounts:login"), settings.REQUEST_MAX_BYTES + 1)
    assert response.status_code == 413
    assert "Ce formulaire envoie" in response.content.decode()


def test_an_upload_within_its_limit_goes_through_to_its_form(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kenlabour.network.models import PendingImport
    from kenlabour.network.tests import files

    client.force_login(facilitator())
    upload = SimpleUploadedFile(
        "acteurs.csv", files.csv_bytes([files.organisation("Fablab")]), "text/csv"
    )
    response = client.post(reverse("network:import"), {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == reverse("network:import_columns")
    assert PendingImport.objects.get().filename == "acteurs.csv"


def test_money_pages_are_never_stored_and_other_pages_may_be(client):
    money = client.get(reverse("funding:envelopes"))
    assert "no-store" in money["Cache-Control"]
    assert "no-store" not in client.get(reverse("web:home")).get("Cache-Control", "")
