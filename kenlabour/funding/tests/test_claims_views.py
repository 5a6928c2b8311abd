"""The claims room's pages, per role: the claimant's people, another person, the treasurer
of the claim's relay and of another relay, anonymous visitors; uploads with real bytes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.funding.enums import ClaimStatus
from kenlabour.funding.models import Claim, ClaimLine, Expense, Transition
from kenlabour.funding.selectors import claims as selectors
from kenlabour.funding.services import claims as services
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.funding.tests.factories import RelayFactory, treasurer
from kenlabour.funding.tests.pages_claims import (
    elf_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def w():
    return world()


def draft(w):
    return services.create_claim(w.claimant_user, w.envelope, w.claimant)


def with_expense(w, claim, content=None):
    return services.add_expense(
        w.claimant_user,
        claim,
        kind="material",
        label="Filament PETG",
        amount_cents=4_250,
        spent_on=timezone.localdate(),
        receipt=upload("facture.pdf", content or pdf_bytes()),
    )


def submitted(w):
    claim = draft(w)
    with_expense(w, claim)
    return services.submit(w.claimant_user, claim)


def expense_post(content: bytes, name: str = "facture.pdf", **overrides) -> dict:
    return {
        "kind": "material",
        "label": "3 bobines de PETG",
        "amount": "89,70",
        "spent_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "receipt": upload(name, content),
        **overrides,
    }


def snapshot():
    return (
        Claim.objects.count(),
        ClaimLine.objects.filter(live=True).count(),
        Expense.objects.count(),
        Transition.objects.count(),
        tuple(Claim.objects.values_list("status", flat=True)),
    )


# --- anonymous visitors are sent to log in ---------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, w):
    claim = submitted(w)
    expense = claim.expenses.get()
    urls = [
        reverse("funding:my_claims"),
        reverse("funding:claim_create", kwargs={"slug": w.envelope.slug}),
        reverse("funding:claim", kwargs={"pk": claim.pk}),
        reverse("funding:receipt", kwargs={"pk": claim.pk, "expense": expense.pk}),
        reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    before = snapshot()
    for name in ("claim_action", "review", "expense_add"):
        response = client.post(reverse(f"funding:{name}", kwargs={"pk": claim.pk}))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot() == before


# --- the claimant ----------------------------------------------------------------------------


def test_my_claims_lists_my_actors_claims_and_the_open_envelopes(client, w):
    claim = draft(w)
    others = world()
    draft(others)  # another fablab's claim
    client.force_login(w.claimant_user)
    response = client.get(reverse("funding:my_claims"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("funding:claim", kwargs={"pk": claim.pk}) in page
    assert list(response.context["claims"]) == [claim]
    assert reverse("funding:claim_create", kwargs={"slug": w.envelope.slug}) in page
    assert format_euros(claim.units_cents) in page


def test_the_claimant_creates_a_draft_on_the_deliveries_they_tick(client, w):
    client.force_login(w.claimant_user)
    url = reverse("funding:claim_create", kwargs={"slug": w.envelope.slug})
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["deliveries"] == [w.delivery.pk]
    response = client.post(url, {"deliveries": [w.delivery.pk], "note": "Visières"})
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    assert claim.claimant == w.claimant and claim.status == ClaimStatus.DRAFT
    assert claim.units_cents == w.delivery.confirmed_units * 200
    # Claimed already: the form says so, nothing new.
    response = client.post(url, {"deliveries": [w.delivery.pk]})
    assert response.status_code == 200
    assert Claim.objects.count() == 1


def test_a_person_who_files_for_no_actor_is_told_how_to_register(client, w):
    client.force_login(UserFactory())
    response = client.get(reverse("funding:claim_create", kwargs={"slug": w.envelope.slug}))
    assert response.status_code == 200
    assert reverse("network:register") in response.content.decode()
    assert Claim.objects.count() == 0


def test_the_claim_page_shows_lines_expenses_amounts_and_history(client, w):
    claim = draft(w)
    expense = with_expense(w, claim)
    client.force_login(w.claimant_user)
    response = client.get(claim.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert w.delivery.need.requester_name in page
    assert format_euros(claim.units_cents) in page
    assert format_euros(expense.amount_cents) in page
    assert reverse("funding:receipt", kwargs={"pk": claim.pk, "expense": expense.pk}) in page
    assert reverse("funding:expense_add", kwargs={"pk": claim.pk}) in page
    assert "Déposer la demande" in page


@pytest.mark.parametrize("who", ["claimant", "treasurer"])
def test_a_history_step_without_a_user_is_shown_not_a_500(client, w, who):
    """Steps whose author was deleted (or written by the platform) have no user."""
    claim = submitted(w)
    Transition.objects.create(
        claim=claim, from_status="", to_status=ClaimStatus.SUBMITTED, by=None, reason=""
    )
    claim.transitions.update(by=None)
    client.force_login(w.claimant_user if who == "claimant" else w.treasurer_user)
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert "Historique" in response.content.decode()


@pytest.mark.parametrize("who", ["claimant", "treasurer"])
def test_the_claim_page_links_to_its_pdf_statement(client, w, who):
    claim = submitted(w)
    client.force_login(w.claimant_user if who == "claimant" else w.treasurer_user)
    page = client.get(claim.get_absolute_url()).content.decode()
    url = reverse("funding:claim_statement", kwargs={"pk": claim.pk})
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200


def test_the_claim_page_shows_the_reason_of_a_request_for_changes(client, w):
    claim = submitted(w)
    services.review(w.treasurer_user, claim, "changes", reason="Justificatif illisible")
    client.force_login(w.claimant_user)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Justificatif illisible" in page
    assert "Déposer à nouveau la demande" in page


@pytest.mark.parametrize(
    "name, content, mime",
    [("facture.pdf", pdf_bytes(), "application/pdf"), ("photo.png", png_bytes(), "image/png")],
)
def test_an_expense_is_added_with_a_real_pdf_or_png(client, w, name, content, mime):
    claim = draft(w)
    client.force_login(w.claimant_user)
    response = client.post(
        reverse("funding:expense_add", kwargs={"pk": claim.pk}), expense_post(content, name)
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount_cents == 8_970  # "89,70" exactly
    assert expense.receipt_kind == mime
    with expense.receipt.open("rb") as stored:
        assert stored.read() == content


def test_an_executable_renamed_pdf_is_refused_at_the_field(client, w, media):
    claim = draft(w)
    client.force_login(w.claimant_user)
    before = snapshot()
    response = client.post(
        reverse("funding:expense_add", kwargs={"pk": claim.pk}), expense_post(elf_bytes())
    )
    assert response.status_code == 200
    errors = response.context["expense_form"].errors["receipt"]
    assert "programme" in errors[0]
    assert "programme" in response.content.decode()
    assert snapshot() == before
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-12,00", "négatif"),
        ("0", "positif"),
        ("12,345", "deux chiffres"),
        ("douze", "n'est pas un montant"),
        ("99999999999999999999", "ne dépasse pas"),
    ],
)
def test_a_bad_amount_is_refused_at_the_field(client, w, amount, message):
    claim = draft(w)
    client.force_login(w.claimant_user)
    before = snapshot()
    response = client.post(
        reverse("funding:expense_add", kwargs={"pk": claim.pk}),
        expense_post(pdf_bytes(), amount=amount),
    )
    assert response.status_code == 200
    assert message in response.context["expense_form"].errors["amount"][0]
    assert snapshot() == before


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_an_expense_dated_before_2000_is_refused_at_the_field(client, w, day):
    claim = draft(w)
    client.force_login(w.claimant_user)
    before = snapshot()
    response = client.post(
        reverse("funding:expense_add", kwargs={"pk": claim.pk}),
        expense_post(pdf_bytes(), spent_on=day),
    )
    assert response.status_code == 200
    assert "1 janvier 2000" in response.context["expense_form"].errors["spent_on"][0]
    assert snapshot() == before


def test_the_claimant_submits_then_cannot_submit_again(client, w):
    claim = draft(w)
    client.force_login(w.claimant_user)
    url = reverse("funding:claim_action", kwargs={"pk": claim.pk})
    response = client.post(url, {"action": "submit", "confirmation": "1"}, follow=True)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.relay == w.relay
    assert w.relay.name in response.content.decode()
    before = snapshot()
    response = client.post(url, {"action": "submit", "confirmation": "1"}, follow=True)
    assert "ne se dépose pas à nouveau" in response.content.decode()
    assert snapshot() == before


def test_a_late_submission_is_refused_with_the_reason(client, w):
    claim = draft(w)
    w.envelope.opens_on = timezone.localdate() - datetime.timedelta(days=30)
    w.envelope.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    w.envelope.save()
    client.force_login(w.claimant_user)
    before = snapshot()
    response = client.post(
        reverse("funding:claim_action", kwargs={"pk": claim.pk}),
        {"action": "submit", "confirmation": "1"},
        follow=True,
    )
    assert "sont closes depuis le" in response.content.decode()
    assert snapshot() == before


def test_the_claimant_cancels(client, w):
    claim = submitted(w)
    client.force_login(w.claimant_user)
    client.post(
        reverse("funding:claim_action", kwargs={"pk": claim.pk}),
        {"action": "cancel", "reason": "Doublon", "confirmation": "1"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CANCELLED
    assert claim.transitions.last().reason == "Doublon"


@pytest.mark.parametrize(
    "who, name, data",
    [
        ("claimant", "claim_action", {"action": "submit"}),
        ("claimant", "claim_action", {"action": "cancel", "reason": "Doublon"}),
        ("treasurer", "review", {"decision": "approve"}),
        ("treasurer", "review", {"decision": "reject", "reason": "Déjà compensée"}),
        ("treasurer", "review", {"decision": "changes", "reason": "Facture illisible"}),
    ],
)
def test_irreversible_actions_ask_for_confirmation_first(client, w, who, name, data):
    claim = draft(w) if data.get("action") == "submit" else submitted(w)
    client.force_login(w.claimant_user if who == "claimant" else w.treasurer_user)
    before = snapshot()
    response = client.post(reverse(f"funding:{name}", kwargs={"pk": claim.pk}), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="confirmation" value="1"' in page
    for value in data.values():  # carried again, escaped, as hidden fields
        assert f'value="{value}"' in page.replace("&#x27;", "'")
    assert claim.get_absolute_url() in page  # the way back
    assert snapshot() == before


# --- another person, another relay's treasurer --------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "other_treasurer", "other_claimant"])
def test_others_get_403_everywhere_and_change_nothing(client, w, who):
    claim = submitted(w)
    expense = claim.expenses.get()
    if who == "stranger":
        user = UserFactory()
    elif who == "other_treasurer":
        user = treasurer(RelayFactory())
    else:
        user = world().claimant_user
    client.force_login(user)
    before = snapshot()
    for url in (
        reverse("funding:claim", kwargs={"pk": claim.pk}),
        reverse("funding:receipt", kwargs={"pk": claim.pk, "expense": expense.pk}),
        reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}),
    ):
        assert client.get(url).status_code == 403, url
    for name, data in [
        ("claim_action", {"action": "cancel"}),
        ("review", {"decision": "approve", "confirmation": "1"}),
        ("expense_add", expense_post(pdf_bytes())),
    ]:
        response = client.post(reverse(f"funding:{name}", kwargs={"pk": claim.pk}), data)
        assert response.status_code == 403, name
    assert snapshot() == before


def test_the_claimant_does_not_review_their_own_claim(client, w):
    claim = submitted(w)
    client.force_login(w.claimant_user)
    response = client.post(
        reverse("funding:review", kwargs={"pk": claim.pk}),
        {"decision": "approve", "confirmation": "1"},
    )
    assert response.status_code == 403
    assert Claim.objects.get().status == ClaimStatus.SUBMITTED


# --- receipts --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["claimant", "treasurer"])
def test_a_receipt_is_downloaded_as_an_attachment_never_sniffed(client, w, who):
    content = png_bytes()
    claim = draft(w)
    expense = with_expense(w, claim, content)
    services.submit(w.claimant_user, claim)
    client.force_login(w.claimant_user if who == "claimant" else w.treasurer_user)
    response = client.get(
        reverse("funding:receipt", kwargs={"pk": claim.pk, "expense": expense.pk})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_receipt_is_not_reached_through_another_claim(client, w):
    claim = draft(w)
    expense = with_expense(w, claim)
    other = services.create_claim(w.claimant_user, w.envelope, w.claimant, deliveries=[])
    client.force_login(w.claimant_user)
    response = client.get(
        reverse("funding:receipt", kwargs={"pk": other.pk, "expense": expense.pk})
    )
    assert response.status_code == 404


def test_platform_admins_see_a_claim_but_not_its_receipts(client, w):
    claim = submitted(w)
    client.force_login(user_with_role("platform_admin"))
    assert client.get(claim.get_absolute_url()).status_code == 200
    url = reverse("funding:receipt", kwargs={"pk": claim.pk, "expense": claim.expenses.get().pk})
    assert client.get(url).status_code == 403


# --- the relay's treasurer -------------------------------------------------------------------


def test_the_treasurer_lists_the_claims_to_review(client, w):
    claim = submitted(w)
    draft_claim = services.create_claim(w.claimant_user, w.envelope, w.claimant, deliveries=[])
    client.force_login(w.treasurer_user)
    response = client.get(reverse("funding:relay_claims", kwargs={"relay": w.relay.slug}))
    assert response.status_code == 200
    assert [c.pk for c in response.context["to_review"]] == [claim.pk]
    page = response.content.decode()
    assert claim.get_absolute_url() in page
    assert draft_claim.get_absolute_url() not in page  # drafts stay with the claimant


def test_the_relays_examined_claims_come_a_page_at_a_time_what_waits_on_every_page(client, w):
    waiting = submitted(w)
    size = selectors.RELAY_OTHERS_PAGE_SIZE
    examined = Claim.objects.bulk_create(
        Claim(
            envelope=w.envelope,
            claimant=w.claimant,
            relay=w.relay,
            status=ClaimStatus.REJECTED,
            submitted_on=timezone.localdate() - datetime.timedelta(days=n),
        )
        for n in range(size + 3)
    )
    client.force_login(w.treasurer_user)
    url = reverse("funding:relay_claims", kwargs={"relay": w.relay.slug})
    pages = [client.get(url, {"page": n}) for n in (1, 2)]
    shown = [[c.pk for c in r.context["page_obj"].object_list] for r in pages]
    assert [len(pks) for pks in shown] == [size, 3]
    assert sorted(shown[0] + shown[1]) == sorted(c.pk for c in examined)
    for response in pages:
        page = response.content.decode()
        assert waiting.get_absolute_url() in page  # what waits for the relay, on each page
        assert f"{size + 3} autres demandes" in page
    assert 'rel="next"' in pages[0].content.decode()
    # The status filter is kept from page to page.
    filtered = client.get(url, {"statut": ClaimStatus.REJECTED}).content.decode()
    assert "statut=rejected&amp;page=2" in filtered


def test_the_treasurer_approves_with_the_expenses_they_tick(client, w):
    claim = submitted(w)
    expense = claim.expenses.get()
    client.force_login(w.treasurer_user)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert reverse("funding:review", kwargs={"pk": claim.pk}) in page
    response = client.post(
        reverse("funding:review", kwargs={"pk": claim.pk}),
        {"decision": "approve", "validated_expenses": [str(expense.pk)], "confirmation": "1"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.expenses_cents == expense.amount_cents
    assert claim.transitions.last().by == w.treasurer_user


def test_a_rejection_without_a_reason_is_refused_at_the_field(client, w):
    claim = submitted(w)
    client.force_login(w.treasurer_user)
    before = snapshot()
    response = client.post(
        reverse("funding:review", kwargs={"pk": claim.pk}), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 200
    assert "motif" in response.context["review_form"].errors["reason"][0]
    assert snapshot() == before


def test_a_second_approval_says_it_was_already_reviewed(client, w):
    claim = submitted(w)
    client.force_login(w.treasurer_user)
    url = reverse("funding:review", kwargs={"pk": claim.pk})
    client.post(url, {"decision": "approve", "confirmation": "1"})
    before = snapshot()
    response = client.post(url, {"decision": "approve", "confirmation": "1"}, follow=True)
    assert "déjà examinée" in response.content.decode()
    assert snapshot() == before
