"""Introductions (mises en relation): a signed-in person asks to be put in touch with an
actor; the platform relays the request by e-mail without revealing anybody's address; the
actor accepts (each side then sees the other's contact details and the graph gets the
link), declines (with an optional word, and may block), reports abuse, or lets it expire.
Each rule against abuse is tested: the daily limit, one open request per actor, blocking,
actors who do not take requests, and no account above the rules."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.audit.enums import AuditAction
from kenlabour.audit.models import AuditEvent
from kenlabour.network.enums import IntroductionStatus, LinkSourceKind, ResourceKind
from kenlabour.network.models import Introduction, IntroductionBlock, LinkSource
from kenlabour.network.selectors import introductions as selectors
from kenlabour.network.services import graph as graph_services
from kenlabour.network.services import introductions as introduction_services
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    commune,
    equip,
    make_admin,
)

pytestmark = pytest.mark.django_db
SITE = "https://kenlabour.example/"
MESSAGE = "Je prépare des visières pour l'EHPAD de Briec et cherche une découpeuse laser."


@pytest.fixture
def people():
    """A maker in Briec (her own page), and a fablab in Quimper with a laser cutter, run by
    its administrator."""
    maker_user = UserFactory(email="katell@exemple.bzh", display_name="Katell")
    maker = PersonFactory(name="Katell Le Roux", user=maker_user, commune=commune("29020"))
    fablab = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    admin = make_admin(UserFactory(email="gael@fablab-quimper.bzh"), fablab)
    return {"maker_user": maker_user, "maker": maker, "fablab": fablab, "admin": admin}


def ask(people, **kwargs) -> Introduction:
    values = {
        "requester_actor": people["maker"],
        "message": MESSAGE,
        "contact": "06 12 34 56 78",
        "resource_kind": ResourceKind.LASER_CUTTER,
        "site_url": SITE,
    }
    values.update(kwargs)
    target = values.pop("target", people["fablab"])
    user = values.pop("user", people["maker_user"])
    return introduction_services.request_introduction(user, target, **values)


def test_the_request_reaches_the_actors_people_without_anybodys_address(people):
    introduction = ask(people)
    assert introduction.status == IntroductionStatus.PENDING
    (email,) = mail.outbox
    assert email.to == ["gael@fablab-quimper.bzh"]
    body = email.body + email.alternatives[0][0]
    assert "Katell Le Roux" in body and "découpeuse laser" in body
    # Neither the requester's address nor her contact details travel before an answer.
    assert "katell@exemple.bzh" not in body and "06 12 34 56 78" not in body
    assert introduction.get_absolute_url() in email.body


def test_accepting_shows_each_side_the_others_contact_and_links_them_in_the_graph(people, client):
    introduction = ask(people)
    mail.outbox.clear()
    client.force_login(people["admin"])
    response = client.post(
        reverse("network:introduction_answer", kwargs={"pk": introduction.pk}),
        {"decision": "accept", "contact": "contact@fablab-quimper.bzh"},
    )
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED
    assert introduction.answered_by == people["admin"]
    source = LinkSource.objects.get(kind=LinkSourceKind.INTRODUCTION)
    pair = {source.link.actor_a_id, source.link.actor_b_id}
    assert pair == {people["maker"].pk, people["fablab"].pk}
    (email,) = mail.outbox
    assert email.to == ["katell@exemple.bzh"]
    assert "contact@fablab-quimper.bzh" in email.body
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "06 12 34 56 78" in page and "contact@fablab-quimper.bzh" in page
    client.force_login(people["maker_user"])
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "06 12 34 56 78" in page and "contact@fablab-quimper.bzh" in page
    # The link is on the maker's page, from this introduction.
    actor_page = client.get(people["maker"].get_absolute_url()).content.decode()
    assert "Fablab de Quimper" in actor_page and "Mise en relation acceptée" in actor_page


def test_before_an_answer_the_requesters_contact_is_not_on_the_actors_page(people, client):
    introduction = ask(people)
    client.force_login(people["admin"])
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert MESSAGE.replace("'", "&#x27;") in page
    assert "06 12 34 56 78" not in page and "katell@exemple.bzh" not in page


def test_declining_sends_the_word_and_blocking_stops_the_next_request(people, client):
    introduction = ask(people)
    mail.outbox.clear()
    client.force_login(people["admin"])
    client.post(
        reverse("network:introduction_answer", kwargs={"pk": introduction.pk}),
        {"decision": "decline", "message": "Notre découpeuse est en panne.", "block": "on"},
    )
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    (email,) = mail.outbox
    assert email.to == ["katell@exemple.bzh"] and "Notre découpeuse est en panne." in email.body
    with pytest.raises(
        introduction_services.IntroductionRefused, match="ne reçoit plus vos demandes"
    ):
        ask(people)
    block = IntroductionBlock.objects.get()
    client.post(reverse("network:introduction_unblock", kwargs={"pk": block.pk}))
    assert not IntroductionBlock.objects.exists()
    assert ask(people).status == IntroductionStatus.PENDING


def test_a_request_left_unanswered_expires_and_can_no_longer_be_accepted(people, client):
    introduction = ask(people)
    Introduction.objects.filter(pk=introduction.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(people["admin"])
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "Expirée sans réponse" in page and "Accepter et donner" not in page
    response = client.post(
        reverse("network:introduction_answer", kwargs={"pk": introduction.pk}),
        {"decision": "accept", "contact": "contact@fablab-quimper.bzh"},
    )
    assert response.status_code == 400
    assert "n&#x27;attend plus de réponse" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING  # stored; shown as expired
    assert not LinkSource.objects.filter(kind=LinkSourceKind.INTRODUCTION).exists()
    # Once expired, the person may ask again.
    assert ask(people).pk != introduction.pk


def test_a_person_sends_at_most_five_requests_a_day(people, client):
    for _ in range(introduction_services.INTRODUCTIONS_PER_DAY):
        other = equip(FablabFactory(), ResourceKind.LASER_CUTTER)
        make_admin(UserFactory(), other)
        ask(people, target=other)
    client.force_login(people["maker_user"])
    response = client.post(
        reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug}),
        {
            "requester_actor": people["maker"].pk,
            "message": MESSAGE,
            "contact": "06 12 34 56 78",
            "resource_kind": "",
        },
    )
    assert response.status_code == 200
    assert "5 demandes de mise en relation en 24 heures" in response.content.decode()
    assert not Introduction.objects.filter(target=people["fablab"]).exists()
    # The day after, the limit is lifted.
    Introduction.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert ask(people).status == IntroductionStatus.PENDING


def test_one_open_request_per_actor(people):
    ask(people)
    with pytest.raises(introduction_services.IntroductionRefused, match="attend encore sa réponse"):
        ask(people)
    assert Introduction.objects.count() == 1


def test_an_actor_who_takes_no_request_is_not_offered_nor_reached(people, client):
    fablab = people["fablab"]
    fablab.accepts_introductions = False
    fablab.save()
    client.force_login(people["maker_user"])
    page = client.get(fablab.get_absolute_url()).content.decode()
    assert "ne reçoit pas de demande de mise en relation" in page
    assert reverse("network:introduction_new", kwargs={"slug": fablab.slug}) not in page
    response = client.post(
        reverse("network:introduction_new", kwargs={"slug": fablab.slug}),
        {"requester_actor": people["maker"].pk, "message": MESSAGE, "contact": "06"},
    )
    assert "ne reçoit pas de demande" in response.content.decode()
    with pytest.raises(PermissionDenied):
        ask(people)
    assert not Introduction.objects.exists()


def test_an_actor_with_nobody_to_answer_says_so_before_any_form(people, client):
    lonely = FablabFactory(name="Fablab sans compte")
    with pytest.raises(
        introduction_services.IntroductionRefused, match="Personne ne répond encore"
    ):
        ask(people, target=lonely)
    client.force_login(people["maker_user"])
    page = client.get(lonely.get_absolute_url()).content.decode()
    assert "Personne ne répond encore pour cet acteur" in page
    assert reverse("network:introduction_new", kwargs={"slug": lonely.slug}) not in page
    form = client.get(reverse("network:introduction_new", kwargs={"slug": lonely.slug}))
    assert "Personne ne répond encore pour Fablab sans compte" in form.content.decode()
    assert "Envoyer la demande" not in form.content.decode()


def test_reporting_closes_blocks_tells_the_facilitators_and_is_audited(people, client):
    facilitator = user_with_role(Role.LAB_FACILITATOR)
    introduction = ask(people)
    mail.outbox.clear()
    client.force_login(people["admin"])
    url = reverse("network:introduction_report", kwargs={"pk": introduction.pk})
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": "  "})
    assert "Dites ce qui ne va pas." in empty.content.decode()
    assert Introduction.objects.get().status == IntroductionStatus.PENDING
    client.post(url, {"reason": "Démarchage commercial."})
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.REPORTED
    assert IntroductionBlock.objects.filter(
        actor=people["fablab"], user=people["maker_user"]
    ).exists()
    (email,) = mail.outbox
    assert email.to == [facilitator.email] and "Démarchage commercial." in email.body
    event = AuditEvent.objects.get(action=AuditAction.INTRODUCTION_REPORTED)
    assert (event.actor, event.subject) == (people["admin"], people["maker_user"])


def test_through_the_person_who_knows_both(people, client):
    """Katell worked with Yann, who worked with the fablab: she asks Yann to present her.
    The fablab sees nothing until he does."""
    yann_user = UserFactory(email="yann@exemple.bzh")
    yann = PersonFactory(name="Yann Kerguelen", user=yann_user)
    for pair, ref in (((people["maker"], yann), "a"), ((yann, people["fablab"]), "b")):
        graph_services.record_cooperation(
            [a.pk for a in pair],
            kind=LinkSourceKind.WORKSHOP,
            reference=ref,
            date=datetime.date(2025, 3, 1),
        )
    middle = selectors.intermediary(people["maker"], people["fablab"])
    assert middle is not None and middle.actor == yann
    client.force_login(people["maker_user"])
    form_page = client.get(
        reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug})
    ).content.decode()
    assert "Demander à Yann Kerguelen de me présenter" in form_page
    client.post(
        reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug}),
        {
            "requester_actor": people["maker"].pk,
            "message": MESSAGE,
            "contact": "06 12 34 56 78",
            "through_intermediary": "on",
        },
    )
    introduction = Introduction.objects.get()
    assert introduction.via == yann
    assert introduction.status == IntroductionStatus.AWAITING_INTERMEDIARY
    assert [email.to for email in mail.outbox] == [["yann@exemple.bzh"]]
    client.force_login(people["admin"])
    assert client.get(introduction.get_absolute_url()).status_code == 404
    client.force_login(yann_user)
    client.post(
        reverse("network:introduction_answer", kwargs={"pk": introduction.pk}),
        {"decision": "present"},
    )
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING and introduction.introduced_at
    assert mail.outbox[-1].to == ["gael@fablab-quimper.bzh"]
    assert "Yann Kerguelen vous présente Katell Le Roux" in mail.outbox[-1].body
    client.force_login(people["admin"])
    assert client.get(introduction.get_absolute_url()).status_code == 200


def test_a_made_up_intermediary_is_refused(people):
    stranger = PersonFactory(user=UserFactory())
    with pytest.raises(introduction_services.IntroductionRefused, match="ne vous relie pas"):
        ask(people, via=stranger)
    assert not Introduction.objects.exists()


def test_only_the_actors_people_answer_not_the_requester_nor_a_superuser(people, client):
    introduction = ask(people)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for user in (people["maker_user"], superuser):
        with pytest.raises(PermissionDenied):
            introduction_services.accept_introduction(
                user, introduction, contact="x", site_url=SITE
            )
    client.force_login(superuser)
    assert client.get(introduction.get_absolute_url()).status_code == 404
    client.force_login(people["maker_user"])
    response = client.post(
        reverse("network:introduction_answer", kwargs={"pk": introduction.pk}),
        {"decision": "accept", "contact": "x"},
    )
    assert response.status_code == 403
    assert Introduction.objects.get().status == IntroductionStatus.PENDING


def test_nobody_asks_on_behalf_of_a_page_they_do_not_hold(people, client):
    other = PersonFactory(user=UserFactory())
    with pytest.raises(PermissionDenied):
        ask(people, requester_actor=other)
    client.force_login(people["maker_user"])
    response = client.post(
        reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug}),
        {"requester_actor": other.pk, "message": MESSAGE, "contact": "06"},
    )
    assert "Vous écrivez au nom de" in response.content.decode()
    assert not Introduction.objects.exists()


def test_bad_input_is_answered_at_its_field_in_french(people, client):
    client.force_login(people["maker_user"])
    url = reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug})
    cases = {
        "message": ("trop court", "20 caractères au moins"),
        "contact": ("   ", "Indiquez comment vous joindre."),
        "resource_kind": ("licorne", "Sélectionnez un choix valide"),
    }
    for field, (value, expected) in cases.items():
        data = {"requester_actor": people["maker"].pk, "message": MESSAGE, "contact": "06"}
        data[field] = value
        response = client.post(url, data)
        assert response.status_code == 200
        assert expected in response.content.decode(), field
    response = client.post(
        url, {"requester_actor": people["maker"].pk, "message": "x" * 2001, "contact": "06"}
    )
    assert "2000 caractères" in response.content.decode().replace("\u202f", "")
    assert not Introduction.objects.exists()


def test_a_visitor_signs_in_first(people, client):
    url = reverse("network:introduction_new", kwargs={"slug": people["fablab"].slug})
    assert client.get(url).status_code == 302
    page = client.get(people["fablab"].get_absolute_url()).content.decode()
    assert "Connectez-vous pour demander une mise en relation" in page


def test_the_requests_page_lists_what_waits_in_a_fixed_number_of_queries(
    people, client, django_assert_max_num_queries
):
    for _ in range(4):
        other = PersonFactory(user=UserFactory())
        introduction_services.request_introduction(
            other.user,
            people["fablab"],
            requester_actor=other,
            message=MESSAGE,
            contact="06",
            site_url=SITE,
        )
    client.force_login(people["admin"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("network:introductions")).content.decode()
    assert "4 demandes attendent votre réponse." in page


def test_what_waits_is_counted_in_the_records_not_in_the_listed_requests(people, client):
    """The page lists the latest INBOX_LIMIT requests; the count says how many wait."""
    from kenlabour.network.tests.factories import _introduction, _person_with_account

    waiting = selectors.INBOX_LIMIT + 3
    for n in range(waiting):
        _introduction(_person_with_account(f"Personne {n}"), people["fablab"])
    expired = _introduction(_person_with_account("En retard"), people["fablab"])
    Introduction.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(people["admin"])
    page = client.get(reverse("network:introductions")).content.decode()
    assert f"{waiting} demandes attendent votre réponse." in page
