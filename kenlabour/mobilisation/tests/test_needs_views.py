"""Needs' pages: the public form, the requester's page by its secret link, and the
coordinators' pages (who may see them, what they do, how many queries they make)."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus, Urgency
from kenlabour.mobilisation.models import Delivery, Need
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    NeedFactory,
    coordinator,
)
from kenlabour.mobilisation.tests.pages_needs import campaign_with_items, declared, received
from kenlabour.network.enums import ModerationStatus, OrganisationKind
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import (
    FablabFactory,
    OrganisationFactory,
    PersonFactory,
    commune,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def campaign():
    return campaign_with_items()


def _form(campaign, **overrides):
    data = {
        "item_type": campaign.item_types.first().pk,
        "quantity": "250",
        "deadline": (_today() + datetime.timedelta(days=4)).isoformat(),
        "urgency": str(Urgency.CRITICAL),
        "requester_name": "Centre hospitalier de Landerneau",
        "requester_kind": "hospital",
        "contact_name": "Gwenaëlle Kerbrat",
        "contact_email": "g.kerbrat@ch-landerneau.example",
        "contact_phone": "",
        "commune": "Landerneau",
        "address": "",
        "note": "",
        "site_web": "",
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    match = re.search(r'<div class="form-errors".*?</div>', response.content.decode(), re.S)
    return html.unescape(match.group(0)) if match else ""


# --- the public form --------------------------------------------------------------------------


def test_anyone_submits_a_need_and_lands_on_its_page_with_the_link_by_e_mail(client, campaign):
    url = reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="quantity"' in page.content.decode()
    response = client.post(url, _form(campaign), follow=True)
    need = Need.objects.get()
    assert response.redirect_chain[-1][0] == need.get_follow_url()
    assert need.status == NeedStatus.SUBMITTED
    assert need.commune.name == "Landerneau" and need.urgency == Urgency.CRITICAL
    assert "Votre besoin est enregistré" in response.content.decode()
    [message] = mail.outbox
    assert f"http://testserver{need.get_follow_url()}" in message.body


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"commune": "Landerneau-sur-Mer"}, "Landerneau-sur-Mer"),
        ({"quantity": "-3"}, "positif"),
        ({"quantity": "2000000"}, "1\xa0000\xa0000"),
        ({"quantity": "beaucoup"}, "nombre entier"),
        ({"deadline": "2020-04-01"}, "déjà passée"),
        ({"contact_email": "pas-une-adresse"}, "adresse e-mail complète"),
    ],
)
def test_bad_input_is_told_at_the_field_and_saves_nothing(client, campaign, overrides, field_text):
    url = reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug})
    response = client.post(url, _form(campaign, **overrides))
    assert response.status_code == 200
    assert field_text in _errors(response)
    assert "Rien n'a été enregistré" in _errors(response)
    assert not Need.objects.exists() and mail.outbox == []


def test_the_honeypot_filled_in_saves_nothing_and_shows_the_field(client, campaign):
    url = reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug})
    response = client.post(url, _form(campaign, site_web="http://spam"))
    assert response.status_code == 200
    assert "doit rester vide" in _errors(response)
    assert 'class="need-honeypot"' not in response.content.decode()
    assert not Need.objects.exists()


def test_a_closed_campaign_shows_why_and_takes_nothing(client):
    campaign = campaign_with_items(accepts_needs=False)
    url = reverse("mobilisation:need_submit", kwargs={"slug": campaign.slug})
    page = client.get(url).content.decode()
    assert "ne reçoit pas de besoins" in page and 'name="quantity"' not in page
    response = client.post(url, _form(campaign))
    assert response.status_code == 200
    assert not Need.objects.exists()


def test_an_unknown_campaign_is_a_404(client):
    assert (
        client.get(reverse("mobilisation:need_submit", kwargs={"slug": "inconnue"})).status_code
        == 404
    )


# --- the requester's page ------------------------------------------------------------------


@pytest.fixture
def followed():
    need = NeedFactory(requester_name="EHPAD Ty Glaz", quantity=200)
    shy = PersonFactory(name="Maëlle Secrète", public_consent=False)
    proud = PersonFactory(name="Yann Public", public_consent=True)
    pending = FablabFactory(name="Fablab en attente", status=ModerationStatus.PENDING)
    declared(need, shy, 30)
    declared(need, proud, 20)
    DeliveryFactory(need=need, producer=pending)
    NeedFactory(requester_name="Pharmacie Voisine", contact_email="voisine@example.org")
    return need


def test_the_requester_page_names_public_producers_only_and_no_other_need(client, followed):
    response = client.get(followed.get_follow_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "Yann Public" in html
    assert "Maëlle Secrète" not in html and "Un·e maker bénévole" in html
    assert "Fablab en attente" not in html and "Un producteur du réseau" in html
    assert "Pharmacie Voisine" not in html and "voisine@example.org" not in html
    # A form for each declared delivery, none for the planned one.
    assert html.count("Confirmer la réception de la livraison") == 2


def test_an_unknown_token_is_a_404(client):
    NeedFactory()
    assert (
        client.get(reverse("mobilisation:need_follow", kwargs={"token": "devine"})).status_code
        == 404
    )


def _confirm_url(need, delivery):
    return reverse("mobilisation:delivery_confirm", kwargs={"token": need.token, "pk": delivery.pk})


def _confirmation(delivery, units, note=""):
    prefix = f"livraison-{delivery.pk}"
    return {
        f"{prefix}-received_units": str(units),
        f"{prefix}-name": "Soizic",
        f"{prefix}-note": note,
        "confirmation": "1",  # the confirmation step: test_confirmations
    }


def test_confirming_a_delivery_from_the_page(client, followed):
    delivery = followed.deliveries.get(declared_units=30)
    response = client.post(
        _confirm_url(followed, delivery), _confirmation(delivery, 30), follow=True
    )
    assert "la réception de 30 unités est confirmée" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CONFIRMED


def test_confirming_more_than_declared_is_told_and_changes_nothing(client, followed):
    delivery = followed.deliveries.get(declared_units=30)
    response = client.post(_confirm_url(followed, delivery), _confirmation(delivery, 45))
    assert response.status_code == 200
    errors = _errors(response)
    assert "45" in errors and "plus que ce qui a été livré" in errors
    assert f'href="#id_livraison-{delivery.pk}-received_units"' in errors
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DECLARED and delivery.confirmed_units is None


def test_fewer_with_a_note_flags_a_discrepancy(client, followed):
    delivery = followed.deliveries.get(declared_units=30)
    client.post(_confirm_url(followed, delivery), _confirmation(delivery, 25, "Cinq cassées"))
    delivery.refresh_from_db()
    assert (
        delivery.status == DeliveryStatus.DISCREPANCY
        and delivery.discrepancy_note == "Cinq cassées"
    )


def test_a_confirmation_twice_is_told_at_the_top_of_the_page(client, followed):
    delivery = followed.deliveries.get(declared_units=30)
    client.post(_confirm_url(followed, delivery), _confirmation(delivery, 30))
    response = client.post(
        _confirm_url(followed, delivery), _confirmation(delivery, 30), follow=True
    )
    assert "déjà confirmée" in response.content.decode()


def test_a_delivery_of_another_need_is_a_404(client, followed):
    other = received(NeedFactory(), FablabFactory(), 10, 10)
    assert client.post(_confirm_url(followed, other), _confirmation(other, 10)).status_code == 404


def test_the_requester_withdraws_the_need(client):
    need = NeedFactory(status=NeedStatus.VALIDATED)
    url = reverse("mobilisation:need_withdraw", kwargs={"token": need.token})
    response = client.post(url, {"reason": "Reçu de l'ARS", "confirmation": "1"}, follow=True)
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    assert "Le besoin est retiré" in response.content.decode()
    assert "Retirer ma demande" not in response.content.decode()


# --- coordinators: who may see what ------------------------------------------------------------


def _coordinator_urls(need, delivery):
    slug = need.campaign.slug
    return [
        ("get", reverse("mobilisation:needs", kwargs={"slug": slug})),
        ("get", reverse("mobilisation:need", kwargs={"pk": need.pk})),
        ("get", reverse("mobilisation:discrepancies", kwargs={"slug": slug})),
        ("post", reverse("mobilisation:need_decide", kwargs={"pk": need.pk})),
        ("post", reverse("mobilisation:discrepancy_resolve", kwargs={"pk": delivery.pk})),
    ]


@pytest.fixture
def guarded():
    need = NeedFactory(status=NeedStatus.SUBMITTED)
    delivery = received(
        NeedFactory(campaign=need.campaign, item_type=need.item_type), FablabFactory(), 10, 5, "x"
    )
    return need, delivery


def test_anonymous_people_are_sent_to_log_in(client, guarded):
    for method, url in _coordinator_urls(*guarded):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("who", ["nobody", "other_campaign"])
def test_who_does_not_coordinate_the_campaign_is_refused(client, guarded, who):
    need, delivery = guarded
    user = UserFactory() if who == "nobody" else coordinator(CampaignFactory())
    client.force_login(user)
    for method, url in _coordinator_urls(need, delivery):
        data = {"decision": "cancel", "reason": "Doublon", f"ecart-{delivery.pk}-note": "Vu"}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    need.refresh_from_db()
    delivery.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED and delivery.resolved_at is None


@pytest.mark.parametrize("scoped", [True, False])
def test_a_coordinator_of_the_campaign_or_of_all_sees_the_pages(client, guarded, scoped):
    need, delivery = guarded
    client.force_login(coordinator(need.campaign if scoped else None))
    for _method, url in _coordinator_urls(need, delivery)[:3]:
        assert client.get(url).status_code == 200, url


# --- coordinators: the list ---------------------------------------------------------------------


def _list(client, campaign, query=""):
    url = reverse("mobilisation:needs", kwargs={"slug": campaign.slug})
    return client.get(f"{url}?{query}")


def _names(response) -> list[str]:
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_list_puts_needs_to_verify_first_then_urgency_and_deadline(client, campaign):
    item = campaign.item_types.first()
    soon = _today() + datetime.timedelta(days=2)
    later = _today() + datetime.timedelta(days=9)
    NeedFactory(
        campaign=campaign,
        item_type=item,
        requester_name="Validé vital tard",
        urgency=Urgency.CRITICAL,
        deadline=later,
    )
    NeedFactory(
        campaign=campaign,
        item_type=item,
        requester_name="Validé vital tôt",
        urgency=Urgency.CRITICAL,
        deadline=soon,
    )
    NeedFactory(
        campaign=campaign,
        item_type=item,
        requester_name="Validé normal",
        urgency=Urgency.NORMAL,
        deadline=soon,
    )
    NeedFactory(
        campaign=campaign, item_type=item, requester_name="À vérifier", status=NeedStatus.SUBMITTED
    )
    client.force_login(coordinator(campaign))
    response = _list(client, campaign)
    assert _names(response) == [
        "À vérifier",
        "Validé vital tôt",
        "Validé vital tard",
        "Validé normal",
    ]
    assert "1 besoin déposé attend votre vérification" in response.content.decode()


def test_the_list_filters_by_status_item_departement_and_urgency(client, campaign):
    shield, mask = campaign.item_types.all()
    quimper, rennes = commune("29232"), commune("35238")
    NeedFactory(
        campaign=campaign,
        item_type=shield,
        commune=quimper,
        requester_name="A",
        status=NeedStatus.SUBMITTED,
    )
    NeedFactory(
        campaign=campaign,
        item_type=mask,
        commune=quimper,
        requester_name="B",
        urgency=Urgency.URGENT,
    )
    NeedFactory(
        campaign=campaign,
        item_type=shield,
        commune=rennes,
        requester_name="C",
        urgency=Urgency.URGENT,
    )
    NeedFactory(requester_name="Autre mobilisation")
    client.force_login(coordinator(campaign))
    assert sorted(_names(_list(client, campaign))) == ["A", "B", "C"]
    assert _names(_list(client, campaign, "statut=submitted")) == ["A"]
    assert sorted(_names(_list(client, campaign, f"article={shield.pk}"))) == ["A", "C"]
    assert sorted(_names(_list(client, campaign, "departement=29"))) == ["A", "B"]
    assert _names(_list(client, campaign, "urgence=2&departement=35")) == ["C"]
    # A bad filter is told, and the others still apply.
    response = _list(client, campaign, "departement=2A&urgence=2")
    assert "Choisissez un département où la mobilisation a des besoins" in _errors(response)
    assert sorted(_names(response)) == ["B", "C"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_coordinators_pages_make_as_many_queries_for_many_rows_as_for_few(client, campaign):
    item = campaign.item_types.first()
    client.force_login(coordinator())
    need = NeedFactory(campaign=campaign, item_type=item)
    received(need, FablabFactory(), 10, 5, "x")
    urls = [
        reverse("mobilisation:needs", kwargs={"slug": campaign.slug}),
        reverse("mobilisation:discrepancies", kwargs={"slug": campaign.slug}),
        reverse("mobilisation:need", kwargs={"pk": need.pk}),
        need.get_follow_url(),
    ]
    few = [_queries(client, url) for url in urls]
    for position, code in enumerate(["29232", "35238", "56121", "22278"] * 5):
        other = NeedFactory(
            campaign=campaign, item_type=item, commune=commune(code), urgency=1 + position % 3
        )
        received(other, FablabFactory(), 10, 5, "x")
        received(need, PersonFactory(public_consent=position % 2 == 0), 10, 5, "x")
    assert [_queries(client, url) for url in urls] == few


# --- coordinators: a need and the decision -------------------------------------------------------


def _decide(client, need, **data):
    return client.post(
        reverse("mobilisation:need_decide", kwargs={"pk": need.pk}),
        {**data, "confirmation": "1"},
        follow=True,
    )


def test_the_need_page_proposes_to_link_the_organisation_already_in_the_directory(client):
    need = NeedFactory(status=NeedStatus.SUBMITTED, requester_name="EHPAD Ar Mor")
    OrganisationFactory(
        name="EHPAD Ar Mor", commune=need.commune, organisation_kind=OrganisationKind.CARE
    )
    OrganisationFactory(name="Mairie de Quimper")
    client.force_login(coordinator())
    html = client.get(need.get_absolute_url()).content.decode()
    assert 'value="EHPAD Ar Mor (Quimper)"' in html  # the field and the list
    assert '<option value="Mairie de Quimper (Quimper)">' in html
    assert re.search(r'value="link"[^>]*checked', html)


def test_a_coordinator_validates_by_creating_the_establishment(client):
    need = NeedFactory(status=NeedStatus.SUBMITTED, requester_name="SSIAD du Léon")
    client.force_login(coordinator())
    response = _decide(client, need, decision="validate", requester="create")
    need.refresh_from_db()
    assert need.status == NeedStatus.VALIDATED
    assert need.requester.name == "SSIAD du Léon"
    assert "est validé" in response.content.decode()
    assert [m.subject for m in mail.outbox] == [f"Besoin validé : {need.item_type.name}"]


def test_a_coordinator_validates_by_linking_an_organisation_typed_by_name(client):
    need = NeedFactory(status=NeedStatus.SUBMITTED)
    hospital = OrganisationFactory(name="CHU de Brest", organisation_kind=OrganisationKind.CARE)
    client.force_login(coordinator())
    _decide(client, need, decision="validate", requester="link", organisation="chu de brest")
    need.refresh_from_db()
    assert need.requester == hospital


def test_an_unknown_organisation_is_told_at_the_field(client):
    need = NeedFactory(status=NeedStatus.SUBMITTED)
    client.force_login(coordinator())
    actors = Actor.objects.count()
    response = _decide(
        client, need, decision="validate", requester="link", organisation="CHU de Nulle-part"
    )
    assert "n'est pas une organisation publiée de l'annuaire" in _errors(response)
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED and Actor.objects.count() == actors


def test_validating_a_need_already_decided_is_told_clearly(client):
    need = NeedFactory(status=NeedStatus.VALIDATED)
    client.force_login(coordinator())
    response = _decide(client, need, decision="validate", requester="create")
    assert "seul un besoin déposé, à vérifier, se valide" in response.content.decode()
    assert mail.outbox == []


def test_cancelling_needs_a_reason_then_tells_the_requester(client):
    need = NeedFactory(status=NeedStatus.SUBMITTED)
    client.force_login(coordinator())
    response = _decide(client, need, decision="cancel", reason="")
    assert "Indiquez le motif de l'annulation" in _errors(response)
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED
    _decide(client, need, decision="cancel", reason="Hors du champ de la mobilisation")
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    assert "Hors du champ de la mobilisation" in mail.outbox[0].body


# --- coordinators: discrepancies -----------------------------------------------------------------


def test_the_discrepancies_show_both_figures_and_are_resolved_from_the_page(client, campaign):
    item = campaign.item_types.first()
    need = NeedFactory(campaign=campaign, item_type=item, requester_name="EHPAD Kerlann")
    gap = received(need, FablabFactory(name="Fablab du Pays"), 50, 35, "Quinze manquantes")
    received(NeedFactory(campaign=campaign, item_type=item), FablabFactory(), 20, 20)  # no gap
    received(NeedFactory(requester_name="Ailleurs"), FablabFactory(), 20, 5, "x")  # other campaign
    client.force_login(coordinator(campaign))
    url = reverse("mobilisation:discrepancies", kwargs={"slug": campaign.slug})
    html = client.get(url).content.decode()
    assert "1 écart à traiter" in html and "EHPAD Kerlann" in html and "Ailleurs" not in html
    assert "50 unités" in html and "35 unités" in html and "15 unités manquantes" in html
    assert "Quinze manquantes" in html
    resolve = reverse("mobilisation:discrepancy_resolve", kwargs={"pk": gap.pk})
    response = client.post(resolve, {f"ecart-{gap.pk}-note": ""})
    assert "Indiquez la suite donnée" in _errors(response)
    response = client.post(
        resolve, {f"ecart-{gap.pk}-note": "Second colis parti", "confirmation": "1"}, follow=True
    )
    assert "Aucun écart à traiter" in response.content.decode()
    gap.refresh_from_db()
    assert gap.resolution_note == "Second colis parti" and gap.confirmed_units == 35
    resolved = client.get(f"{url}?traites=on").content.decode()
    assert "Second colis parti" in resolved
    assert Delivery.objects.filter(status=DeliveryStatus.DISCREPANCY).count() == 2


# --- words: plurals and agreements ------------------------------------------------------------


def _status_text(client, need):
    from kenlabour.mobilisation.services.lifecycle import refresh_need_status

    refresh_need_status(need)
    page = client.get(need.get_follow_url()).content.decode()
    start = page.index('id="statut"')
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", page[start : page.index("</div>", start)])).split()
    )


def test_all_delivered_but_fewer_received_is_not_said_partly_delivered(client):
    need = NeedFactory(quantity=23)
    received(need, FablabFactory(), 23, 20, "Trois fêlées")
    text = _status_text(client, need)
    assert "23 unités sur 23" not in text
    assert (
        "Les producteurs indiquent avoir livré 23 unités ; vous en avez reçu 20 sur les 23 "
        "demandées. L'écart est signalé à l'équipe de coordination." in text
    )


def test_partly_delivered_counts_what_arrived_with_its_plural(client):
    need = NeedFactory(quantity=23)
    declared(need, FablabFactory(), 1)
    DeliveryFactory(need=need, producer=FablabFactory(), planned_units=22)
    assert "1 unité sur 23 est arrivée ; le reste est à venir." in _status_text(client, need)
    declared(need, FablabFactory(), 4)
    assert "5 unités sur 23 sont arrivées" in _status_text(client, need)


def test_one_unit_delivered_is_singular(client):
    need = NeedFactory(quantity=1)
    received(need, FablabFactory(), 1, 1)
    text = _status_text(client, need)
    assert "L'unité demandée a été livrée." in text
    page = html.unescape(client.get(need.get_follow_url()).content.decode())
    assert "Prévue : 1 unité." in page and "Reçue : 1 unité, confirmé par" in page
