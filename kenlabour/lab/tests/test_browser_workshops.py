"""In a real browser: the issue's acceptance path for workshops, and axe-core on the
workshop pages full of data (the audit sees them nearly empty)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kenlabour.accounts.tests.factories import user_with_role
from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import Attendance, Registration, Workshop
from kenlabour.lab.tests.factories import (
    LabFactory,
    MethodFactory,
    RegistrationFactory,
    SeriesFactory,
    ThemeFactory,
    WorkshopFactory,
)
from kenlabour.network.tests.factories import DirectorateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _figure(page, label: str) -> int:
    text = page.locator(f".impact-figures dt:text-is('{label}') + dd .figure").inner_text()
    return int(re.sub(r"\D", "", text))


def _dashboard(page, live_server) -> dict[str, int]:
    page.goto(live_server.url + reverse("lab:impact"))
    return {
        label: _figure(page, label)
        for label in ("Participations de professionnels", "Usagères et usagers impliqués")
    }


def _register(browser, live_server, workshop_url, name, email) -> str:
    """Someone without an account registers; returns their registration page's address."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(workshop_url)
    page.get_by_label("Nom et prénom").fill(name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name=re.compile("M'inscrire")).click()
    page.wait_for_url(re.compile(r"/labo/inscription/"))
    status = page.locator("#statut").inner_text()
    url = page.url
    context.close()
    return url, status


def test_acceptance_create_register_wait_cancel_sign_in_and_the_dashboard_follows(
    browser, page, context, live_server, login_browser, assert_accessible
):
    LabFactory(name="Laboratoire d'innovation publique de Bretagne")
    directorate = DirectorateFactory(name="Direction des solidarités")
    facilitator = user_with_role("lab_facilitator")

    # A facilitator creates a workshop with two seats, by filling the form.
    login_browser(context, facilitator)
    page.goto(live_server.url + reverse("lab:workshop_create"))
    day = timezone.localdate() + datetime.timedelta(days=5)
    page.get_by_label("Titre").fill("Simplifier la demande de RSA")
    page.get_by_label("Objectif").fill("Parcourir la demande avec des usagers et des agents.")
    page.get_by_label("Début").fill(f"{day.isoformat()}T09:30")
    page.get_by_label("Fin").fill(f"{day.isoformat()}T12:00")
    page.get_by_label("Commune").fill("Quimper")
    page.get_by_label("Nombre de places").fill("2")
    page.get_by_role("button", name="Créer l'atelier").click()
    page.get_by_role("heading", name="Simplifier la demande de RSA").wait_for()
    assert "2 places libres sur 2" in page.locator("#places").inner_text()
    workshop = Workshop.objects.get()
    workshop_url = live_server.url + workshop.get_absolute_url()

    # Three people register; the third is on the waiting list.
    anne_url, anne_status = _register(browser, live_server, workshop_url, "Anne", "anne@ex.bzh")
    _bob_url, bob_status = _register(
        browser, live_server, workshop_url, "Bleuenn Morvan", "bleuenn@ex.bzh"
    )
    cor_url, cor_status = _register(
        browser, live_server, workshop_url, "Corentin Riou", "corentin@ex.bzh"
    )
    assert "Place confirmée" in anne_status and "Place confirmée" in bob_status
    assert "Liste d'attente" in cor_status and "position 1" in cor_status

    # Anne cancels with her link: Corentin gets the seat and is told.
    visitor = browser.new_context(locale="fr-FR")
    anne_page = visitor.new_page()
    anne_page.goto(anne_url)
    anne_page.get_by_role("button", name="Annuler mon inscription").click()
    anne_page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert "Inscription annulée" in anne_page.locator("#statut").inner_text()
    anne_page.goto(cor_url)
    assert anne_page.locator("#statut").inner_text().strip() == "Place confirmée"
    visitor.close()
    assert any(
        m.to == ["corentin@ex.bzh"] and "Une place s'est libérée" in m.subject for m in mail.outbox
    )

    # The day comes.
    now = timezone.now()
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - datetime.timedelta(minutes=15), ends_at=now + datetime.timedelta(hours=2)
    )
    before = _dashboard(page, live_server)

    # The facilitator takes attendance on a phone.
    phone = browser.new_context(locale="fr-FR", **PHONE)
    login_browser(phone, facilitator)
    sheet = phone.new_page()
    sheet.goto(workshop_url + "presences/")
    assert sheet.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(sheet)
    bleuenn = Registration.objects.get(email="bleuenn@ex.bzh")
    corentin = Registration.objects.get(email="corentin@ex.bzh")
    row = sheet.locator(f"#inscrit-{bleuenn.pk}")
    row.get_by_label("À quel titre").select_option(label="Agent public")
    row.get_by_text("Organisation et direction").click()
    row.get_by_label("Organisation").fill(directorate.organisation.name)
    row.get_by_label("Direction").fill("Direction des solidarités")
    tick = row.get_by_role("button", name="Présent·e : Bleuenn Morvan")
    box = tick.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, "a large target for a thumb"
    row_box = sheet.locator(f"#inscrit-{corentin.pk}").bounding_box()
    assert row_box["height"] <= 200, "one person takes one compact row"
    assert "Aucune présence" in sheet.locator("#compte").inner_text()
    tick.click()
    sheet.locator(f"#inscrit-{bleuenn.pk} .sheet-present").wait_for()
    assert "1 personne présente" in sheet.locator("#compte").inner_text()
    row = sheet.locator(f"#inscrit-{corentin.pk}")
    row.get_by_label("À quel titre").select_option(label="Usager ou usagère")
    row.get_by_role("button", name="Présent·e : Corentin Riou").click()
    sheet.locator(f"#inscrit-{corentin.pk} .sheet-present").wait_for()
    assert "2 personnes présentes" in sheet.locator("#compte").inner_text()
    # A tick by mistake is undone, and done again.
    row.get_by_role("button", name="Retirer la présence de Corentin Riou").click()
    row.get_by_role("button", name="Présent·e : Corentin Riou").wait_for()
    assert "1 personne présente" in sheet.locator("#compte").inner_text()
    row.get_by_label("À quel titre").select_option(label="Usager ou usagère")
    row.get_by_role("button", name="Présent·e : Corentin Riou").click()
    sheet.locator(f"#inscrit-{corentin.pk} .sheet-present").wait_for()
    assert "2 personnes présentes" in sheet.locator("#compte").inner_text()
    assert_accessible(sheet)
    phone.close()

    kinds = dict(Attendance.objects.values_list("registration__email", "kind"))
    assert kinds == {
        "bleuenn@ex.bzh": ParticipantKind.PUBLIC_AGENT,
        "corentin@ex.bzh": ParticipantKind.CITIZEN,
    }
    after = _dashboard(page, live_server)
    assert (
        after["Participations de professionnels"] == before["Participations de professionnels"] + 1
    )
    assert after["Usagères et usagers impliqués"] == before["Usagères et usagers impliqués"] + 1


def test_the_sign_in_sheet_works_with_javascript_off(browser, live_server, login_browser):
    registration = RegistrationFactory(name="Anne Le Goff")
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", **PHONE)
    login_browser(context, user_with_role("lab_facilitator"))
    page = context.new_page()
    page.goto(
        live_server.url + reverse("lab:attendance", kwargs={"slug": registration.workshop.slug})
    )
    row = page.locator(f"#inscrit-{registration.pk}")
    row.get_by_label("À quel titre").select_option(label="Maker")
    row.get_by_role("button", name="Présent·e : Anne Le Goff").click()
    expect(page.get_by_text("Anne Le Goff : présence notée.")).to_be_visible()
    expect(page.locator(f"#inscrit-{registration.pk} .sheet-present")).to_be_visible()
    page.get_by_label("Nom et prénom").fill("Yann")
    page.locator("#id_sans-inscription-kind").select_option(label="Élu ou élue")
    # Submitted from the keyboard: a phone's browser may still be scrolling to the field
    # just filled, which makes a simulated tap land elsewhere.
    page.get_by_role("button", name="Noter sa présence").press("Enter")
    expect(page.get_by_text("Yann : présence notée (sans inscription).")).to_be_visible()
    assert Attendance.objects.count() == 2
    context.close()


def test_workshop_pages_full_of_data_have_no_axe_violation(
    page, context, live_server, login_browser, assert_accessible
):
    series = SeriesFactory(title="Cycle accès aux droits")
    workshop = WorkshopFactory(
        lab=series.lab,
        series=series,
        method=MethodFactory(name="Parcours usager"),
        online_url="https://visio.exemple.bzh/atelier",
        synthesis="Trois pistes.\nUne expérimentation.",
        capacity=1,
    )
    workshop.themes.add(ThemeFactory(name="Accès aux droits"))
    RegistrationFactory(workshop=workshop, name="Anne")
    waiting = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITING)
    Attendance.objects.create(workshop=workshop, name="Yann", kind="elected", walk_in=True)
    facilitator = user_with_role("lab_facilitator")
    workshop.facilitators.add(facilitator)

    public_urls = [
        reverse("lab:workshops"),
        workshop.get_absolute_url(),
        reverse("lab:series", kwargs={"slug": series.slug}),
        reverse("lab:methods"),
        reverse("lab:method", kwargs={"slug": workshop.method.slug}),
        reverse("lab:registration", kwargs={"token": waiting.token}),
    ]
    for url in public_urls:
        page.goto(live_server.url + url)
        assert_accessible(page)
    # A full workshop, a registration refused, the code page with errors.
    page.goto(live_server.url + workshop.get_absolute_url())
    page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(page.get_by_text("Indiquez votre nom.").first).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("lab:attendance_code"))
    page.get_by_role("button", name="Je suis présent").click()
    expect(page.get_by_text("Indiquez le code que donne l'animateur.").first).to_be_visible()
    assert_accessible(page)

    login_browser(context, facilitator)
    for url in (
        workshop.get_absolute_url(),
        reverse("lab:workshop_edit", kwargs={"slug": workshop.slug}),
        reverse("lab:attendance", kwargs={"slug": workshop.slug}),
        reverse("lab:workshop_create"),
    ):
        page.goto(live_server.url + url)
        assert_accessible(page)
    # The edit form with errors shown.
    page.goto(live_server.url + reverse("lab:workshop_edit", kwargs={"slug": workshop.slug}))
    page.get_by_label("Nombre de places").fill("0")
    page.get_by_role("button", name="Enregistrer l'atelier").click()
    expect(page.get_by_text("Un atelier a au moins une place").first).to_be_visible()
    assert_accessible(page)
