"""The pages of the platform checked for accessibility.

One list serves both the browser tests, which run axe-core on every entry, and the
accessibility statement, which names the pages checked. A test fails when a URL of the
platform is missing here, so a new page cannot escape the check.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.urls import reverse
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

    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs) + (f"?{self.query}" if self.query else "")


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
    AuditedPage(_("Mon compte"), "accounts:account", login=True),
    AuditedPage(_("Changer de mot de passe"), "accounts:password_change", login=True),
    AuditedPage(_("Communes"), "territories:communes"),
    AuditedPage(_("Communes : résultats"), "territories:communes", query="q=quimper"),
    AuditedPage(_("Communes : aucune trouvée"), "territories:communes", query="q=zzzz-inconnue"),
    AuditedPage(
        _("Distance entre deux communes"), "territories:distance", query="a=Quimper&b=Brest"
    ),
]

# URL names that are not pages: machine endpoints or POST-only actions.
NOT_PAGES = {"web:theme_css", "accounts:logout", "set_language"}


def axe_version() -> str:
    return AXE_VERSION_FILE.read_text().strip().rpartition("@")[2]
