import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["lab", "theme", "public", "method", "series", "experiment", "measurement", "workshop"]
)
def test_staff_browse_lab_records_in_the_admin(admin_client, model):
    assert admin_client.get(reverse(f"admin:lab_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:lab_{model}_add")).status_code == 200
