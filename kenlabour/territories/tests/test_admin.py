import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        email="admin@example.org", password="un mot de passe assez long"
    )
    client.force_login(user)
    return client


def test_communes_are_searchable_by_name_and_postcode(admin_client):
    url = reverse("admin:territories_commune_changelist")
    html = admin_client.get(url, {"q": "quimper"}).content.decode()
    assert "Quimperlé" in html
    html = admin_client.get(url, {"q": "29200"}).content.decode()
    assert "Brest" in html


def test_gazetteer_is_read_only(admin_client):
    change = reverse("admin:territories_commune_change", args=["29232"])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert "Quimper" in response.content.decode()
    assert admin_client.post(change, {"name": "Kemper"}).status_code == 403
    assert admin_client.get(reverse("admin:territories_commune_add")).status_code == 403
    for model in ("region", "departement", "epci"):
        assert admin_client.get(reverse(f"admin:territories_{model}_changelist")).status_code == 200
