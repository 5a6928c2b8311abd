from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kenlabour.territories.models import Commune
from kenlabour.territories.tests.test_services import write_files

pytestmark = pytest.mark.django_db


def test_load_territories_reports_what_it_did(tmp_path):
    write_files(tmp_path)
    out = StringIO()
    call_command("load_territories", "--data-dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "commune : 2 créé(s), 0 mis à jour" in text
    assert "--prune" in text  # the real communes are absent from these files
    assert "Référentiel des territoires chargé." in text
    assert Commune.objects.filter(code="Z0002").exists()


def test_load_territories_fails_cleanly(tmp_path):
    with pytest.raises(CommandError, match="illisibles"):
        call_command("load_territories", "--data-dir", str(tmp_path / "nowhere"))
