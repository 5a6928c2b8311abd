"""Each persona's main journey, walked in Chromium on the real demo (shared/DESIGN.md §6).

Every journey starts on the home page and goes by the links and buttons a person sees, never
by a typed address: on a 360 px phone with JavaScript on, and on a 1280 px screen with
JavaScript off. Every page on the way has no axe-core violation and is no wider than the
screen; what the pages say is checked against the records.

On SQLite the live server shares the test's connection, so each test's writes are rolled
back; on PostgreSQL they are committed. Each journey therefore picks its own targets from the
records as they are when it starts.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from conftest import axe_violations, describe_violations, totp_code
from kenlabour.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
SCREEN = {"width": 1280, "height": 900}
# (viewport, JavaScript on): the phone with scripts, the large screen without.
WAYS = [
    pytest.param(PHONE, True, id="telephone-js"),
    pytest.param(SCREEN, False, id="ecran-sans-js"),
]

FACILITATOR = "animatrice@kenlabour.example"
MAKER = "fabricante@kenlabour.example"
TREASURER = "tresorier@kenlabour.example"
SECOND_TREASURER = "tresoriere@kenlabour.example"
THIRD_TREASURER = "comptable@kenlabour.example"
FUNDER = "financeur@kenlabour.example"


class Walk:
    """One person's browser: follows links and buttons, checks every page it lands on."""

    def __init__(self, page, base_url, viewport, javascript):
        self.page = page
        self.javascript = javascript
        self.base_url = base_url
        self.width = viewport["width"]

    def check(self):
        page = self.page
        page.wait_for_load_state()
        assert page.title(), page.url
        heading = page.locator("h1").first.inner_text()
        assert "Erreur" not in page.title(), f"{page.url}: {heading}"
        violations = axe_violations(page, scripts_off=not self.javascript)
        assert not violations, f"axe-core on {page.url}:\n" + describe_violations(violations)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{page.url} is {width} px wide on a {self.width} px screen"

    def home(self):
        self.page.goto(self.base_url + "/")
        self.check()

    def follow(self, name, *, within="main", exact=False):
        """Click the link of that accessible name (a regular expression, or exact text)."""
        links = self.page.locator(within).get_by_role("link", name=name, exact=exact)
        links.first.click()
        self.check()

    def follow_href(self, href):
        """Click the link to that address, among those the page shows (for lists whose
        items share a name, such as two workshops of the same title)."""
        self.page.locator(f'main a[href="{href}"]').first.click()
        self.check()

    def press(self, name, *, exact=False):
        self.page.get_by_role("button", name=name, exact=exact).first.click()
        self.check()

    def confirm(self):
        """The confirmation step of an irreversible action: confirm it."""
        assert "Cette action ne pourra pas être annulée." in self.main_text()
        self.page.locator("form.confirm-form button[type=submit]").click()
        self.check()

    def main_text(self) -> str:
        return " ".join(self.page.locator("main").inner_text().split())

    def sign_in(self, email):
        self.follow("Se connecter", within="header")
        self.page.get_by_label("Adresse e-mail").fill(email)
        self.page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        self.press("Se connecter", exact=True)
        if email in DEMO_TOTP_SECRETS:  # money and administration: the second factor
            from kenlabour.accounts.models import User

            assert self.page.locator("h1").inner_text() == "Code de vérification"
            code = totp_code(User.objects.get(email=email))
            self.page.get_by_label("Code à 6 chiffres ou code de secours").fill(code)
            self.press("Vérifier", exact=True)
        assert self.page.locator("header").get_by_role("button", name="Se déconnecter").count()


@pytest.fixture
def walk(browser, demo_server):
    contexts = []

    def start(viewport, javascript) -> Walk:
        context = browser.new_context(
            viewport=viewport,
            java_script_enabled=javascript,
            locale="fr-FR",
            timezone_id="Europe/Paris",
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        walk = Walk(context.new_page(), demo_server.url, viewport, javascript)
        walk.home()
        return walk

    yield start
    for context in contexts:
        context.close()


def allocate_a_round(funder: Walk) -> Walk:
    """The demo's funder runs a round of the current envelope, from the home page."""
    funder.sign_in(FUNDER)
    funder.follow("Financement", within="header nav", exact=True)
    funder.follow(re.compile("Gérer « Compensation des makers — Renfort des soignants"))
    funder.press("Répartir entre les nouvelles demandes")
    funder.confirm()
    return funder


def record_payout(payer: Walk, reference: str) -> None:
    """From a claim's page, a treasurer records its payout, made today."""
    payer.follow("Enregistrer le paiement de cette demande")
    payer.page.get_by_label("Date du virement").fill(timezone.localdate().isoformat())
    payer.page.get_by_label("Référence bancaire").fill(reference)
    payer.press("Enregistrer le paiement")
    payer.confirm()


def euros(cents: int) -> str:
    from kenlabour.funding.templatetags.funding_claims import format_euros

    return " ".join(format_euros(cents).split())


# --- a citizen ------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_a_citizen_registers_for_an_upcoming_workshop_near_rennes(walk, viewport, javascript):
    from kenlabour.lab.enums import RegistrationStatus
    from kenlabour.lab.models import Registration, Workshop
    from kenlabour.territories.geo import haversine_km
    from kenlabour.territories.models import Commune

    citizen = walk(viewport, javascript)
    citizen.follow("S'inscrire à un atelier")
    citizen.page.get_by_label("Près de").fill("Rennes")
    citizen.page.get_by_label("Dans un rayon de (km)").fill("20")
    citizen.press("Rechercher")

    # The list is the upcoming workshops within 20 km of Rennes, soonest first.
    rennes = Commune.objects.get(code="35238")
    now = timezone.now()
    near = [
        workshop
        for workshop in Workshop.objects.filter(ends_at__gte=now, cancelled_at=None)
        .select_related("commune")
        .order_by("starts_at", "pk")
        if haversine_km(
            rennes.latitude, rennes.longitude, workshop.commune.latitude, workshop.commune.longitude
        )
        <= 20
    ]
    assert near, "the demo has upcoming workshops near Rennes"
    shown = citizen.page.locator("main .workshop-list h3 a")
    assert [shown.nth(i).get_attribute("href") for i in range(shown.count())] == [
        workshop.get_absolute_url() for workshop in near[:20]
    ]

    workshop = next(w for w in near if w.starts_at > now and not w.registration_closed)
    citizen.follow_href(workshop.get_absolute_url())
    email = f"citoyenne-{'js' if javascript else 'html'}@exemple.fr"
    citizen.page.get_by_label("Nom et prénom").fill("Maëlle Citoyenne")
    citizen.page.get_by_label("Adresse e-mail").fill(email)
    citizen.press("M'inscrire")

    registration = Registration.objects.get(workshop=workshop, email=email)
    assert registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
    assert registration.name == "Maëlle Citoyenne"
    assert workshop.title in citizen.main_text()
    (message,) = [m for m in mail.outbox if email in m.to]
    assert workshop.title in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    html, _type = message.alternatives[0]
    assert workshop.title.replace("'", "&#x27;") in html or workshop.title in html


# --- a facilitator --------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_a_facilitator_takes_attendance_during_the_workshop(walk, viewport, javascript):
    from kenlabour.lab.models import Attendance, Workshop

    now = timezone.now()
    workshop = Workshop.objects.get(
        facilitators__email=FACILITATOR, starts_at__lte=now, ends_at__gte=now
    )
    # The people registered and not ticked yet.
    registrations = list(
        workshop.registrations.filter(attendance__isnull=True).order_by("name", "pk")
    )
    before = Attendance.objects.filter(workshop=workshop).count()

    facilitator = walk(viewport, javascript)
    facilitator.sign_in(FACILITATOR)
    facilitator.follow("Ateliers", within="header nav", exact=True)
    facilitator.follow_href(workshop.get_absolute_url())
    facilitator.follow("Feuille de présence", exact=True)
    page = facilitator.page
    # The code and its QR code, for people to sign in themselves.
    assert workshop.attendance_code in facilitator.main_text()
    assert page.locator("main svg, main img").count()

    # Mark one registered person present (a different one for each way of walking).
    person = registrations[0 if javascript else 1]
    row = page.locator(f"#inscrit-{person.pk}")
    row.get_by_label("À quel titre").select_option(label="Usager ou usagère")
    row.get_by_role("button", name=re.compile("Présent")).click()
    page.locator(f"#inscrit-{person.pk}", has_text="présence notée").wait_for()
    facilitator.check()
    marked = Attendance.objects.filter(workshop=workshop).count()
    assert marked == before + 1
    assert page.locator("#compte").inner_text().startswith(f"{marked} personne")
    if javascript:
        assert page.url.endswith("/presences/"), "the mark was sent without leaving the sheet"
        # The mark can be undone, and the count follows.
        page.locator(f"#inscrit-{person.pk}").get_by_role("button", name="Retirer").click()
        page.locator(f"#inscrit-{person.pk}", has_text="Présent").wait_for()
        facilitator.check()
        assert Attendance.objects.filter(workshop=workshop).count() == before
        assert not Attendance.objects.filter(workshop=workshop, registration=person).exists()
    else:
        # A public agent who did not register, of an organisation outside the directory.
        form = page.locator("form", has=page.get_by_role("button", name="Noter sa présence"))
        form.get_by_label("Nom et prénom").fill("Gaëlle Agent")
        form.get_by_label("À quel titre").select_option(label="Agent public")
        form.get_by_label("Organisation").fill("CAF d'Ille-et-Vilaine")
        form.get_by_label("Direction").fill("Direction de l'accès aux droits")
        facilitator.press("Noter sa présence")
        walk_in = Attendance.objects.get(workshop=workshop, registration=None, name="Gaëlle Agent")
        assert walk_in.organisation_label == "CAF d'Ille-et-Vilaine"
        assert "Gaëlle Agent" in facilitator.main_text()
        assert Attendance.objects.filter(workshop=workshop).count() == before + 2


# --- public money: a maker claims, the relay approves, the funder allocates, the relay pays,
# and anyone reads it in the ledger -----------------------------------------------------------


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_public_money_from_a_makers_claim_to_the_verified_ledger(walk, viewport, javascript):
    from kenlabour.funding.demo import MAKER_SLUG
    from kenlabour.funding.enums import ClaimStatus
    from kenlabour.funding.models import Claim, Envelope, LedgerEntry, Rate
    from kenlabour.mobilisation.models import Delivery
    from kenlabour.network.models import Actor

    envelope = Envelope.objects.get(slug="region-bretagne-renfort-des-soignants")
    maker = Actor.objects.get(slug=MAKER_SLUG)
    claimable = list(
        Delivery.objects.filter(
            producer=maker, need__campaign=envelope.campaign, confirmed_units__gt=0
        )
        .exclude(claim_lines__live=True)
        .order_by("pk")
    )
    assert claimable, "the demo maker has confirmed deliveries left to claim"
    delivery = claimable[0]  # one of them, the others left for another claim
    rate = Rate.objects.get(envelope=envelope, item_type=delivery.need.item_type)
    floors = dict(
        envelope.claims.filter(status__in=[ClaimStatus.SCHEDULED, ClaimStatus.PAID]).values_list(
            "pk", "allocated_cents"
        )
    )
    assert envelope.claims.filter(status=ClaimStatus.PAID).exists(), "a first round was paid"

    # The maker claims one confirmed delivery, and submits the claim.
    person = walk(viewport, javascript)
    person.sign_in(MAKER)
    person.follow("Financement", within="header nav", exact=True)
    person.follow("Mes demandes de compensation")
    person.follow(re.compile("Faire une demande sur Compensation des makers — Renfort"))
    for other in claimable:
        if other != delivery:
            person.page.locator(f'input[name="deliveries"][value="{other.pk}"]').uncheck()
    person.press("Créer le brouillon de demande")
    claim = Claim.objects.get(envelope=envelope, claimant=maker, status=ClaimStatus.DRAFT)
    assert claim.units_cents == delivery.confirmed_units * rate.cents_per_unit
    assert euros(claim.units_cents) in person.main_text()
    person.press("Déposer la demande")
    person.confirm()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.relay.slug == "labfab-rennes", "Redon is covered by the LabFab de Rennes"
    assert "Déposée" in person.main_text()

    # The treasurer of that relay finds it in the relay's queue and approves it.
    treasurer = walk(viewport, javascript)
    treasurer.sign_in(TREASURER)
    treasurer.follow("Financement", within="header nav", exact=True)
    treasurer.follow(re.compile("Demandes à examiner et à payer pour LabFab de Rennes"))
    treasurer.follow(f"N° {claim.pk}, {maker.name}", exact=True)
    treasurer.page.get_by_label("Approuver").check()
    treasurer.press("Enregistrer la décision")
    treasurer.confirm()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED

    # The funder allocates a new round: the new claim gets its share, within its cap, and no
    # share already scheduled or paid moves.
    funder = allocate_a_round(walk(viewport, javascript))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SCHEDULED
    assert 0 < claim.allocated_cents <= min(claim.asked_cents, envelope.cap_cents)
    for pk, cents in floors.items():
        assert Claim.objects.get(pk=pk).allocated_cents == cents
    allocated = sum(
        cents or 0 for cents in envelope.claims.values_list("allocated_cents", flat=True)
    )
    assert allocated <= envelope.total_cents
    assert euros(claim.allocated_cents) in funder.main_text()

    # Another treasurer of the relay records the payout: who approved never pays.
    assert claim.allocated_cents <= envelope.payout_confirmation_above_cents
    payer = walk(viewport, javascript)
    payer.sign_in(SECOND_TREASURER)
    payer.follow("Financement", within="header nav", exact=True)
    payer.follow(re.compile("Demandes à examiner et à payer pour LabFab de Rennes"))
    payer.follow(f"N° {claim.pk}, {maker.name}", exact=True)
    record_payout(payer, f"VIR-PARCOURS-{claim.pk}")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID

    # Anyone reads the envelope's figures and the ledger, verified, with this payment in words.
    reader = walk(viewport, javascript)
    reader.follow("Voir où va l'argent public")
    reader.follow(re.compile("Compensation des makers — Renfort des soignants"))
    paid = sum(
        envelope.claims.filter(status=ClaimStatus.PAID).values_list("allocated_cents", flat=True)
    )
    assert f"Versé aux bénéficiaires {euros(paid)}" in reader.main_text()
    reader.follow("Tous les financements publics")
    reader.follow("Le registre des mouvements, vérifié")
    entries = LedgerEntry.objects.count()
    assert f"Registre intact : {entries} écritures vérifiées" in reader.main_text()
    payment = reader.page.locator(f"#ecriture-{LedgerEntry.objects.latest('position').position}")
    assert f"verse {euros(claim.allocated_cents)} à {maker.name}" in " ".join(
        payment.inner_text().split()
    )
    assert f"demande n° {claim.pk}" in payment.inner_text()


# --- separation of duties: above the threshold, two treasurers approve, a third pays ---------


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_above_the_threshold_two_treasurers_approve_and_a_third_pays(walk, viewport, javascript):
    from kenlabour.funding.enums import ClaimStatus
    from kenlabour.funding.models import Claim, Envelope, Transfer

    envelope = Envelope.objects.get(slug="region-bretagne-renfort-des-soignants")
    claim = (
        Claim.objects.filter(
            envelope=envelope, relay__slug="labfab-rennes", status=ClaimStatus.SUBMITTED
        )
        .select_related("claimant")
        .first()
    )
    if claim is None:  # on PostgreSQL the other way's walk paid the demo's one, committed
        pytest.skip("the demo's claim above the threshold was walked by the other way")
    expenses = list(claim.expenses.all())
    retained = claim.units_cents + sum(e.amount_cents for e in expenses)
    assert retained > envelope.double_approval_above_cents, "the demo claim needs two approvals"
    queue = re.compile("Demandes à examiner et à payer pour LabFab de Rennes")
    row = f"N° {claim.pk}, {claim.claimant.name}"

    def open_claim(person):
        person.follow("Financement", within="header nav", exact=True)
        person.follow(queue)
        person.follow(row, exact=True)

    def approve(person):
        open_claim(person)
        for expense in expenses:
            person.page.get_by_label(re.compile(re.escape(expense.label))).check()
        person.page.get_by_label("Approuver").check()
        person.press("Enregistrer la décision")
        person.confirm()

    # The first treasurer approves: the claim waits for a second approval, and she may not
    # give it herself.
    first = walk(viewport, javascript)
    first.sign_in(TREASURER)
    approve(first)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FIRST_APPROVED
    assert "Première validation enregistrée" in first.main_text()
    first.follow(row, exact=True)
    assert "En attente d'une seconde validation" in first.main_text()
    assert "Vous avez donné la première validation" in first.main_text()
    assert not first.page.get_by_role("button", name="Enregistrer la décision").count()

    # A second treasurer gives the second approval.
    second = walk(viewport, javascript)
    second.sign_in(SECOND_TREASURER)
    approve(second)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED

    # The funder allocates a round.
    allocate_a_round(walk(viewport, javascript))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SCHEDULED and claim.allocated_cents > 0

    # Neither approver may record the payout: each is told why.
    for person in (first, second):
        open_claim(person)
        assert "Vous avez examiné cette demande" in person.main_text()
        assert not person.page.get_by_role("link", name="Enregistrer le paiement").count()

    # A third treasurer records it.
    payer = walk(viewport, javascript)
    payer.sign_in(THIRD_TREASURER)
    open_claim(payer)
    record_payout(payer, f"VIR-DEUX-{claim.pk}")
    claim.refresh_from_db()
    if claim.allocated_cents > envelope.payout_confirmation_above_cents:
        # Above the second threshold, the first treasurer confirms it: not its recorder.
        assert claim.status == ClaimStatus.PAYOUT_RECORDED
        assert "Vous avez enregistré ce virement" in payer.main_text()
        open_claim(first)
        first.follow("Confirmer le virement de cette demande")
        first.press("Confirmer le virement")
        first.confirm()
        claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    transfer = Transfer.objects.get(claim=claim)
    assert transfer.created_by.email == THIRD_TREASURER
    assert transfer.amount_cents == claim.allocated_cents
