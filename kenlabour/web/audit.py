"""The pages of the platform checked for accessibility.

One list serves both the browser tests, which run axe-core on every entry, and the
accessibility statement, which names the pages checked. A test fails when a URL of the
platform is missing here, so a new page cannot escape the check.
"""

import inspect
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

AXE_VERSION_FILE = Path(__file__).parent / "static" / "vendor" / "axe-core" / "VERSION"
STANDARD = "RGAA 4.1"
STATEMENT_DATE = "2026-11-23"


@dataclass(frozen=True)
class AuditedPage:
    title: str
    url_name: str
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    login: bool = False  # seen as a logged-in person
    role: str = ""  # …holding this platform-wide role (an accounts.enums.Role value)
    # For pages about one object: the dotted path of a test helper that creates it and
    # returns the URL's kwargs, e.g. "kenlabour.lab.tests.factories:audited_workshop".
    setup: str = ""
    # Queries the page may make, whatever the number of rows it shows (tested).
    max_queries: int = 10

    def url(self, user=None) -> str:
        """The page's address, its object created first. A setup helper that takes a
        `user` is given the person the page is seen by (a page only its parties open)."""
        kwargs = self.kwargs
        if self.setup:
            helper = import_string(self.setup.replace(":", "."))
            made = helper(user) if "user" in inspect.signature(helper).parameters else helper()
            kwargs = {**kwargs, **made}
        return reverse(self.url_name, kwargs=kwargs) + (f"?{self.query}" if self.query else "")


PAGES: list[AuditedPage] = [
    AuditedPage(_("Accueil"), "web:home"),
    AuditedPage(_("Déclaration d'accessibilité"), "web:accessibility"),
    AuditedPage(_("Mentions légales"), "web:legal"),
    AuditedPage(_("Connexion"), "accounts:login"),
    AuditedPage(_("Mot de passe oublié"), "accounts:password_reset"),
    AuditedPage(_("Mot de passe oublié : message envoyé"), "accounts:password_reset_done"),
    AuditedPage(
        _("Nouveau mot de passe (lien périmé)"),
        "accounts:password_reset_confirm",
        kwargs={"uidb64": "MQ", "token": "perime-000000"},
    ),
    AuditedPage(_("Nouveau mot de passe enregistré"), "accounts:password_reset_complete"),
    AuditedPage(
        _("Mon compte"),
        "accounts:account",
        login=True,
        # roles, acting actors, application, security keys and recovery codes, open
        # sessions, the rights' partial: constant whatever the person holds
        max_queries=15,
    ),
    AuditedPage(_("Changer de mot de passe"), "accounts:password_change", login=True),
    AuditedPage(_("Code de vérification"), "accounts:second_factor", login=True),
    AuditedPage(
        _("Activer la double authentification"), "accounts:second_factor_setup", login=True
    ),
    AuditedPage(_("Codes de secours"), "accounts:recovery_codes", login=True),
    AuditedPage(_("Ajouter une clé de sécurité"), "accounts:security_key_add", login=True),
    AuditedPage(_("Communes"), "territories:communes"),
    AuditedPage(_("Communes : résultats"), "territories:communes", query="q=quimper"),
    AuditedPage(_("Communes : aucune trouvée"), "territories:communes", query="q=zzzz-inconnue"),
    AuditedPage(
        _("Distance entre deux communes"), "territories:distance", query="a=Quimper&b=Brest"
    ),
]

# URL names that are not pages: machine endpoints or POST-only actions.
NOT_PAGES = {"web:theme_css", "accounts:logout", "set_language"}
# Second factor and sessions: POST actions; sign-in by identity provider: redirections.
NOT_PAGES |= {
    "accounts:second_factor_remove",
    "accounts:session_close",
    # Security keys: removal is a POST action; the WebAuthn ceremonies answer JSON.
    "accounts:security_key_remove",
    "accounts:webauthn_register_begin",
    "accounts:webauthn_register_complete",
    "accounts:webauthn_auth_begin",
    "accounts:webauthn_auth_complete",
    "accounts:oidc_login",
    "accounts:oidc_callback",
}

# --- network: registration, moderation, edition, import (contributions helper)
PAGES += [
    AuditedPage(_("Inscrire une organisation ou un collectif"), "network:register", login=True),
    AuditedPage(
        _("Modifier un acteur"),
        "network:edit",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_actor",
    ),
    AuditedPage(_("Modération de l'annuaire"), "network:moderation", role="lab_facilitator"),
    AuditedPage(_("Importer des acteurs"), "network:import", role="lab_facilitator"),
    AuditedPage(
        _("Importer des acteurs : un import en cours"),
        "network:import",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_import",
    ),
    AuditedPage(
        _("Importer des acteurs : les colonnes du fichier"),
        "network:import_columns",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_import",
    ),
    AuditedPage(
        _("Importer des acteurs : les mots du fichier"),
        "network:import_values",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_import",
    ),
    AuditedPage(
        _("Importer des acteurs : aperçu"),
        "network:import_preview",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_import",
    ),
    AuditedPage(
        _("Importer des acteurs : vérification en arrière-plan"),
        "network:import_progress",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_running_import",
    ),
    AuditedPage(
        _("Importer des acteurs : fichier refusé par la vérification"),
        "network:import_progress",
        role="lab_facilitator",
        setup="kenlabour.network.tests.factories:audited_refused_import",
    ),
]
# Abandoning an import under way is a POST action.
NOT_PAGES |= {"network:import_cancel"}
# With pending actors, errors and an import's error table shown, these pages are checked
# by axe-core in kenlabour/network/tests/test_contributions_browser.py.

# --- network: who could help, territorial engagement (graph helper)
PAGES += [
    AuditedPage(_("Qui peut aider ?"), "network:who_could_help"),
    AuditedPage(
        _("Qui peut aider ? : recherche sans résultat"),
        "network:who_could_help",
        query="ressource=sewing_machine&commune=Lorient&rayon=30",
    ),
    AuditedPage(
        _("Qui peut aider ? : commune introuvable"),
        "network:who_could_help",
        query="ressource=sewing_machine&commune=Lorient-sur-Mer&rayon=500",
    ),
    # Aggregates for every département (and, when one is chosen, its EPCIs and
    # collectives): a fixed number of queries, however many actors and links.
    AuditedPage(_("Engagement des territoires"), "network:engagement", max_queries=12),
    AuditedPage(
        _("Engagement des territoires : un département"),
        "network:engagement",
        query="departement=29&tri=-pour10000",
        max_queries=20,
    ),
]

# --- network: directory, actor pages, map, exports (directory helper)
PAGES += [
    AuditedPage(_("Annuaire du réseau"), "network:directory"),
    AuditedPage(
        _("Annuaire du réseau : recherche autour d'une commune"),
        "network:directory",
        query="q=fablab&type_organisation=fablab&ressource=laser_cutter&commune=Quimper&rayon=30",
    ),
    AuditedPage(
        _("Annuaire du réseau : filtres erronés"),
        "network:directory",
        query="commune=Quimperl%C3%A9-sur-Mer&rayon=mille&epci=inconnue",
    ),
    AuditedPage(_("Carte du réseau"), "network:map"),
    AuditedPage(
        _("Carte du réseau : recherche autour d'une commune"),
        "network:map",
        query="type_organisation=fablab&commune=Quimper&rayon=30",
    ),
]
PAGES += [
    AuditedPage(
        _("Page d'un acteur"),
        "network:actor",
        setup="kenlabour.network.tests.factories:audited_actor",
    ),
]
# Machine endpoints (GeoJSON, files). The directory, the map and an actor with resources,
# members and links are also checked with results shown in
# kenlabour/network/tests/test_browser_directory.py.
# --- network: introductions (mises en relation), seen by a party to them
_INTRODUCTIONS = "kenlabour.network.tests.factories"
PAGES += [
    AuditedPage(
        _("Mes mises en relation"),
        "network:introductions",
        login=True,
        setup=f"{_INTRODUCTIONS}:audited_introductions",
        max_queries=12,
    ),
    AuditedPage(
        _("Demander une mise en relation"),
        "network:introduction_new",
        login=True,
        # the actor, its resources, who answers, a block, a waiting request, the pages one
        # writes for, the chain through the graph (three), the form's choices
        setup=f"{_INTRODUCTIONS}:audited_introduction_request",
        max_queries=18,
    ),
    AuditedPage(
        _("Une demande de mise en relation, à répondre"),
        "network:introduction",
        login=True,
        setup=f"{_INTRODUCTIONS}:audited_introduction",
        max_queries=12,
    ),
    AuditedPage(
        _("Signaler une demande de mise en relation"),
        "network:introduction_report",
        login=True,
        setup=f"{_INTRODUCTIONS}:audited_introduction",
        max_queries=12,
    ),
]
# Answering a request and lifting a block are POST actions (from the pages above).
NOT_PAGES |= {"network:introduction_answer", "network:introduction_unblock"}

NOT_PAGES |= {
    "network:map_data",
    "network:export_csv",
    "network:export_xlsx",
    "network:export_geojson",
}

# --- lab: workshops, registration, attendance, series, methods, calendars (workshops helper)
PAGES += [
    AuditedPage(_("Ateliers à venir"), "lab:workshops"),
    AuditedPage(_("Ateliers passés"), "lab:workshops", query="passes=on"),
    AuditedPage(
        _("Ateliers : recherche par mots-clés, dates, format et distance"),
        "lab:workshops",
        query="q=parcours&du=2026-01-01&au=2099-12-31&format=sur_place&pres_de=Quimper&rayon=30",
        max_queries=12,
    ),
    AuditedPage(
        _("Ateliers : recherche erronée"),
        "lab:workshops",
        query="du=0001-01-01&au=99999-01-01&format=hybride&pres_de=Quimper-sur-Mer&rayon=-5",
        max_queries=12,
    ),
    AuditedPage(
        _("Atelier"), "lab:workshop", setup="kenlabour.lab.tests.factories:audited_workshop"
    ),
    AuditedPage(
        _("Atelier vu par un animateur"),
        "lab:workshop",
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_workshop",
    ),
    AuditedPage(_("Créer un atelier"), "lab:workshop_create", role="lab_facilitator"),
    AuditedPage(
        _("Feuille de présence"),
        "lab:attendance",
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_attendance_sheet",
    ),
    AuditedPage(
        _("Inscription à un atelier"),
        "lab:registration",
        setup="kenlabour.lab.tests.factories:audited_registration",
    ),
    AuditedPage(_("Signer sa présence avec un code"), "lab:attendance_code"),
    AuditedPage(
        _("Série d'ateliers"), "lab:series", setup="kenlabour.lab.tests.factories:audited_series"
    ),
    AuditedPage(_("Méthodes d'animation"), "lab:methods"),
    AuditedPage(
        _("Méthode d'animation"),
        "lab:method",
        setup="kenlabour.lab.tests.factories:audited_method",
    ),
]
PAGES += [
    AuditedPage(
        _("Modifier un atelier"),
        "lab:workshop_edit",
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_workshop",
        max_queries=16,  # six choice lists
    ),
]
# POST-only actions, calendar files and attached files. The edit form with errors shown is
# checked in kenlabour/lab/tests/test_browser_workshops.py.
NOT_PAGES |= {
    "lab:register",
    "lab:invite",
    "lab:workshop_file_add",
    "lab:workshop_file",
    "lab:workshop_ics",
    "lab:lab_calendar",
}


# --- lab: impact dashboard and exports (impact helper)
PAGES += [
    AuditedPage(_("Impact des laboratoires"), "lab:impact"),
    AuditedPage(
        _("Impact des laboratoires : filtres erronés"),
        "lab:impact",
        query="labo=inconnu&annee=1850",
    ),
]
# With figures and charts shown, the dashboard is checked by axe-core with
# kenlabour.lab.tests.factories:audited_impact in kenlabour/lab/tests/test_browser_impact.py
# (here, the setup's own inserts would count in the page's query budget). Its exports
# are files (CSV, XLSX).
NOT_PAGES |= {"lab:impact_csv", "lab:impact_xlsx"}
PAGES += [
    AuditedPage(
        _("Feuille de présence à imprimer"),
        "lab:attendance_print",
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_attendance_sheet",
    ),
]
# POST actions: undo a tick, cancel a workshop (through a confirmation step).
NOT_PAGES |= {"lab:attendance_undo", "lab:workshop_cancel"}

# --- lab: experiments and interconnections (experiments helper)
PAGES += [
    AuditedPage(_("Expérimentations"), "lab:experiments"),
    AuditedPage(
        _("Expérimentations : filtres erronés"),
        "lab:experiments",
        query="labo=inconnu&etape=inconnue",
    ),
    AuditedPage(
        _("Expérimentations : recherche par mots-clés et filtres"),
        "lab:experiments",
        query="q=usagers&etape=problem&territoire=29&public=inconnu",
        max_queries=12,
    ),
    AuditedPage(_("Nouvelle expérimentation"), "lab:experiment_create", role="lab_facilitator"),
]
PAGES += [
    AuditedPage(
        title,
        name,
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_experiment",
        max_queries=30,  # indicators, measurements, suggestions and links: constant, tested
    )
    for title, name in [
        (_("Page d'une expérimentation"), "lab:experiment"),
        (_("Modifier une expérimentation"), "lab:experiment_edit"),
        (_("Changer l'étape d'une expérimentation"), "lab:experiment_phase"),
        (_("Ajouter une mesure"), "lab:measurement_add"),
    ]
]
# The forms with errors shown are checked in kenlabour/lab/tests/test_browser_experiments.py.
NOT_PAGES |= {"lab:interconnection_decide"}  # a POST action
# Follow-up of an experiment: one page per addition; status and follow-up are POST actions
# of small forms on the experiment's page (audited above with a hypothesis and a
# recommendation, so the forms are there).
PAGES += [
    AuditedPage(
        title,
        name,
        role="lab_facilitator",
        setup="kenlabour.lab.tests.factories:audited_experiment",
        max_queries=12,  # the recommendation form's organisation names: one query
    )
    for title, name in [
        (_("Ajouter une hypothèse"), "lab:hypothesis_add"),
        (_("Ajouter un indicateur"), "lab:indicator_add"),
        (_("Ajouter un résultat"), "lab:result_add"),
        (_("Adresser une préconisation"), "lab:recommendation_add"),
    ]
]
NOT_PAGES |= {"lab:hypothesis_status", "lab:recommendation_follow_up"}


# --- mobilisation: needs, the requester's page, verification, discrepancies (needs helper)
_NEEDS_SETUP = "kenlabour.mobilisation.tests.pages_needs"
PAGES += [
    AuditedPage(
        _("Demander du matériel (mobilisation)"),
        "mobilisation:need_submit",
        setup=f"{_NEEDS_SETUP}:audited_campaign",
    ),
    AuditedPage(
        _("Demander du matériel : mobilisation terminée"),
        "mobilisation:need_submit",
        setup=f"{_NEEDS_SETUP}:audited_closed_campaign",
    ),
    AuditedPage(
        _("Suivi d'un besoin par l'établissement"),
        "mobilisation:need_follow",
        setup=f"{_NEEDS_SETUP}:audited_need_follow",
    ),
    AuditedPage(
        _("Besoins d'une mobilisation"),
        "mobilisation:needs",
        role="campaign_coordinator",
        setup=f"{_NEEDS_SETUP}:audited_campaign_needs",
    ),
    AuditedPage(
        _("Besoins d'une mobilisation : filtres"),
        "mobilisation:needs",
        query="statut=submitted&urgence=3&departement=inconnu",
        role="campaign_coordinator",
        setup=f"{_NEEDS_SETUP}:audited_campaign_needs",
    ),
    AuditedPage(
        _("Besoins d'une mobilisation : recherche par mots-clés"),
        "mobilisation:needs",
        query="q=ehpad+quimper&statut=validated",
        role="campaign_coordinator",
        setup=f"{_NEEDS_SETUP}:audited_campaign_needs",
    ),
    AuditedPage(
        _("Vérifier un besoin"),
        "mobilisation:need",
        role="campaign_coordinator",
        setup=f"{_NEEDS_SETUP}:audited_submitted_need",
    ),
    AuditedPage(
        _("Écarts de livraison"),
        "mobilisation:discrepancies",
        role="campaign_coordinator",
        setup=f"{_NEEDS_SETUP}:audited_discrepancies",
    ),
]
# POST actions. The forms with errors shown are checked by axe-core in
# kenlabour/mobilisation/tests/test_needs_browser.py.
NOT_PAGES |= {
    "mobilisation:delivery_confirm",
    "mobilisation:need_withdraw",
    "mobilisation:need_decide",
    "mobilisation:discrepancy_resolve",
}


# --- mobilisation: producers' pages (producers helper)
# Seen by a person who acts for no actor of the network, these pages explain how to
# register. With actors, deliveries to declare, capacities, production and material (and
# forms with errors shown), they are checked by axe-core on a phone's screen in
# kenlabour/mobilisation/tests/test_producers_browser.py.
PAGES += [
    AuditedPage(
        title,
        name,
        login=True,
        setup="kenlabour.mobilisation.tests.pages_producers:audited_campaign",
    )
    for title, name in [
        (_("Ma page de producteur : compte sans acteur du réseau"), "mobilisation:producer"),
        (_("Proposer une capacité : compte sans acteur du réseau"), "mobilisation:capacity_add"),
        (
            _("Déclarer une production : compte sans acteur du réseau"),
            "mobilisation:production_add",
        ),
        (
            _("Demander ou donner de la matière : compte sans acteur du réseau"),
            "mobilisation:material_add",
        ),
    ]
]
PAGES += [
    AuditedPage(
        _("Modifier une capacité de production"),
        "mobilisation:capacity_edit",
        role="platform_admin",
        setup="kenlabour.mobilisation.tests.pages_producers:audited_capacity",
    ),
    AuditedPage(
        _("Demandes et dons de matière"),
        "mobilisation:materials",
        setup="kenlabour.mobilisation.tests.pages_producers:audited_materials",
    ),
    AuditedPage(
        _("Demandes et dons de matière : filtres erronés"),
        "mobilisation:materials",
        query="matiere=or&sens=vente",
        setup="kenlabour.mobilisation.tests.pages_producers:audited_materials",
    ),
]
NOT_PAGES |= {"mobilisation:delivery_declare", "mobilisation:material_status"}  # POST actions


# --- mobilisation: campaigns, dashboard, map, exports (figures helper)
_FIGURES_SETUP = "kenlabour.mobilisation.tests.pages_figures"
PAGES += [
    AuditedPage(_("Mobilisations"), "mobilisation:campaigns", setup=f"{_FIGURES_SETUP}:audited"),
    # Five grouped queries and three for the filters' choices, whatever the rows.
    AuditedPage(
        _("Chiffres d'une mobilisation"),
        "mobilisation:campaign",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=12,
    ),
    AuditedPage(
        _("Chiffres d'une mobilisation : un département et ses intercommunalités"),
        "mobilisation:campaign",
        query="departement=29",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=12,
    ),
    AuditedPage(
        _("Chiffres d'une mobilisation : filtres erronés"),
        "mobilisation:campaign",
        query="departement=99&epci=inconnu&article=x",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=12,
    ),
    AuditedPage(
        _("Chiffres d'une mobilisation vus par un coordinateur"),
        "mobilisation:campaign",
        role="campaign_coordinator",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=14,
    ),
    AuditedPage(
        _("Carte d'une mobilisation"),
        "mobilisation:campaign_map",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=12,
    ),
    AuditedPage(
        _("Carte d'une mobilisation : un département"),
        "mobilisation:campaign_map",
        query="departement=35",
        setup=f"{_FIGURES_SETUP}:audited_campaign",
        max_queries=12,
    ),
]
# Files (CSV, XLSX). The map with JavaScript (markers, popups) and without it is also
# checked in kenlabour/mobilisation/tests/test_figures_browser.py.
NOT_PAGES |= {"mobilisation:figures_csv", "mobilisation:figures_xlsx"}

# --- mobilisation: matching runs (lead)
_RUNS_SETUP = "kenlabour.mobilisation.tests.pages_coordination"
PAGES += [
    AuditedPage(
        _("Apparier les besoins"),
        "mobilisation:run_matching",
        role="campaign_coordinator",
        setup=f"{_RUNS_SETUP}:audited_run_form",
    ),
    AuditedPage(
        _("Proposition d'appariement"),
        "mobilisation:run",
        role="campaign_coordinator",
        setup=f"{_RUNS_SETUP}:audited_run",
        max_queries=12,
    ),
]
NOT_PAGES |= {"mobilisation:run_adjust", "mobilisation:run_decide"}  # POST actions


# --- funding: claims, the claimant's side and the relay's review (claims helper)
# The claim's page with its forms (expense, submission, review, errors shown) is checked by
# axe-core as the claimant and as the relay's treasurer in
# kenlabour/funding/tests/test_claims_browser.py.
_CLAIMS_SETUP = "kenlabour.funding.tests.pages_claims"
PAGES += [
    AuditedPage(
        _("Mes demandes de compensation"),
        "funding:my_claims",
        login=True,
        setup=f"{_CLAIMS_SETUP}:audited_open_envelopes",
    ),
    AuditedPage(
        _("Nouvelle demande de compensation : compte sans acteur du réseau"),
        "funding:claim_create",
        login=True,
        setup=f"{_CLAIMS_SETUP}:audited_envelope",
    ),
    AuditedPage(
        _("Demande de compensation"),
        "funding:claim",
        role="platform_admin",
        setup=f"{_CLAIMS_SETUP}:audited_claim",
        max_queries=12,
    ),
    AuditedPage(
        _("Demandes reçues par un relais"),
        "funding:relay_claims",
        role="platform_admin",
        setup=f"{_CLAIMS_SETUP}:audited_relay",
    ),
]
# A receipt (a file) and POST actions (the forms are on the claim's page).
NOT_PAGES |= {"funding:receipt", "funding:expense_add", "funding:claim_action", "funding:review"}
NOT_PAGES |= {"funding:confirm_payout"}  # a POST action; its form is on funding:pay

# --- funding: transparency pages, SCDL export, statements (public helper)
_PUBLIC_SETUP = "kenlabour.funding.tests.pages_public"
PAGES += [
    # Aggregates over claims and transfers: a fixed number of queries.
    AuditedPage(
        _("Financements publics"),
        "funding:envelopes",
        setup=f"{_PUBLIC_SETUP}:audited_envelopes",
    ),
    AuditedPage(
        _("Transparence d'une enveloppe"),
        "funding:envelope",
        setup=f"{_PUBLIC_SETUP}:audited_envelope",
        max_queries=12,
    ),
    AuditedPage(
        _("Transparence d'une enveloppe : une page de bénéficiaires"),
        "funding:envelope",
        query="page=2",
        setup=f"{_PUBLIC_SETUP}:audited_envelope",
        max_queries=12,
    ),
    AuditedPage(
        _("Transparence d'une enveloppe sans demande"),
        "funding:envelope",
        setup=f"{_PUBLIC_SETUP}:audited_empty_envelope",
        max_queries=12,
    ),
    AuditedPage(
        _("Transparence d'une enveloppe vue par un administrateur"),
        "funding:envelope",
        role="platform_admin",
        setup=f"{_PUBLIC_SETUP}:audited_envelope",
        max_queries=15,  # + the ledger's head
    ),
]
# Files: the SCDL CSV, a relay's XLSX statement, a claimant's PDF statement.
NOT_PAGES |= {"funding:scdl_csv", "funding:relay_statement", "funding:claim_statement"}


# --- funding: envelopes, allocation, payouts, coverage, ledger (money helper)
# The envelope's page with the transfer form's errors, and the payout form as the relay's
# treasurer (with its errors), are checked by axe-core in
# kenlabour/funding/tests/test_money_browser.py.
_MONEY_SETUP = "kenlabour.funding.tests.pages_money"
PAGES += [
    AuditedPage(
        _("Ouvrir une enveloppe"),
        "funding:envelope_create",
        role="funder",
        setup=f"{_MONEY_SETUP}:audited_campaign",
    ),
    AuditedPage(
        _("Modifier une enveloppe"),
        "funding:envelope_edit",
        role="funder",
        setup=f"{_MONEY_SETUP}:audited_envelope_to_edit",
    ),
    AuditedPage(
        _("Gestion d'une enveloppe à répartir"),
        "funding:envelope_manage",
        role="funder",  # money actions: the funder's people, no administrator
        setup=f"{_MONEY_SETUP}:audited_envelope_to_allocate",
        max_queries=14,  # + what is left to share, the claims waiting, who may edit
    ),
    AuditedPage(
        _("Gestion d'une enveloppe répartie"),
        "funding:envelope_manage",
        role="funder",  # money actions: the funder's people, no administrator
        setup=f"{_MONEY_SETUP}:audited_envelope_allocated",
        max_queries=14,  # + what is left to share, the claims waiting, who may edit
    ),
    AuditedPage(
        _("Paiement d'une demande programmée"),
        "funding:pay",
        role="platform_admin",
        setup=f"{_MONEY_SETUP}:audited_scheduled_claim",
    ),
    AuditedPage(
        _("Paiement d'une demande payée"),
        "funding:pay",
        role="platform_admin",
        setup=f"{_MONEY_SETUP}:audited_paid_claim",
    ),
    AuditedPage(
        _("Territoires des relais"), "funding:coverages", setup=f"{_MONEY_SETUP}:audited_coverages"
    ),
    AuditedPage(
        _("Territoires des relais : configuration"),
        "funding:coverages",
        role="platform_admin",
        setup=f"{_MONEY_SETUP}:audited_coverages",
    ),
    # The verification reads the entries, the envelopes and their rates, the transfers and
    # the claims (with the sums of their lines and expenses); the page's entries name
    # claims, actors and envelopes; the reader's roles say whose bank references they may
    # read.
    AuditedPage(
        _("Registre des mouvements"),
        "funding:ledger",
        role="platform_admin",
        setup=f"{_MONEY_SETUP}:audited_ledger",
        max_queries=15,
    ),
    AuditedPage(
        _("Registre des mouvements : une tête illisible"),
        "funding:ledger",
        query="tete=pas-une-tete",
        setup=f"{_MONEY_SETUP}:audited_ledger",
        max_queries=15,
    ),
    AuditedPage(
        _("Registre des mouvements altéré"),
        "funding:ledger",
        query=f"tete=1:{'0' * 64}",
        setup=f"{_MONEY_SETUP}:audited_altered_ledger",
        max_queries=15,
    ),
]
# POST-only actions (their forms are on the envelope's page).
NOT_PAGES |= {"funding:allocate", "funding:transfer_add", "funding:envelope_withdraw"}


# --- audit log and personal data (rights helper)
PAGES += [
    AuditedPage(_("Journal d'audit"), "audit:log", role="platform_admin"),
    AuditedPage(
        _("Journal d'audit : filtres refusés"),
        "audit:log",
        query="since=0001-01-01&until=2020-01-01",
        role="platform_admin",
    ),
]
# The download is a file (JSON or PDF); the others are POST actions from the account page.
NOT_PAGES |= {
    "privacy:export",
    "privacy:download",
    "privacy:withdraw_consent",
    "privacy:erase",
}


def axe_version() -> str:
    return AXE_VERSION_FILE.read_text().strip().rpartition("@")[2]


# --- Query budgets of the demo crawl (kenlabour/web/tests/test_demo_crawl.py) -------------
# A page's budget is the largest of its audited entries above, unless the demo's data shows
# more choice lists or sections than the audit's small data; it never grows with rows.
DEFAULT_QUERY_BUDGET = 20
DEMO_QUERY_BUDGETS: dict[str, int] = {
    # Signed in, a page also asks the person's roles and what they may do there.
    "network:actor": 15,
    "lab:experiments": 14,
    # The funder's page of an envelope: its claims by status, relays and transfers.
    "funding:envelope_manage": 16,
    # Exports stream their rows by chunks of actors (network.selectors.exports.CHUNK_SIZE), two to
    # five queries a chunk: bounded memory, and queries that grow with the rows by design.
    "network:export_csv": 40,
    "network:export_xlsx": 40,
    "network:export_geojson": 40,
    # The download of a person's data reads each reference to a person once (one query per
    # model field pointing at an account or an actor): it grows with the models, not the rows.
    "privacy:download": 80,
}


def query_budget(url_name: str) -> int:
    if url_name in DEMO_QUERY_BUDGETS:
        return DEMO_QUERY_BUDGETS[url_name]
    audited = [page.max_queries for page in PAGES if page.url_name == url_name]
    return max(audited, default=DEFAULT_QUERY_BUDGET)
