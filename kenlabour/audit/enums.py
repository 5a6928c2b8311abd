from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """The sensitive actions kept in the audit log (money movements are in the ledger)."""

    ROLE_GRANTED = "role_granted", _("Rôle attribué")
    ROLE_REVOKED = "role_revoked", _("Rôle retiré")
    ACTOR_PUBLISHED = "actor_published", _("Acteur publié")
    ACTOR_REJECTED = "actor_rejected", _("Acteur refusé")
    ACTORS_IMPORTED = "actors_imported", _("Import d'acteurs")
    CONSENT_CHANGED = "consent_changed", _("Consentement modifié")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Export de données personnelles")
    ERASURE = "erasure", _("Effacement d'un compte")
    LOGIN_NEW_DEVICE = "login_new_device", _("Connexion depuis un nouvel appareil")
    INTRODUCTION_REPORTED = "introduction_reported", _("Demande de mise en relation signalée")
