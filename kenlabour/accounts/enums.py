from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may be on the platform. Scoped roles name the object they apply to."""

    PLATFORM_ADMIN = "platform_admin", _("Administrateur de la plateforme")
    LAB_FACILITATOR = "lab_facilitator", _("Animateur de laboratoire")
    ORGANISATION_ADMIN = "organisation_admin", _("Administrateur d'organisation")
    ORGANISATION_MEMBER = "organisation_member", _("Membre d'organisation")
    CAMPAIGN_COORDINATOR = "campaign_coordinator", _("Coordinateur de mobilisation")
    RELAY_TREASURER = "relay_treasurer", _("Trésorier de relais")
    FUNDER = "funder", _("Financeur")
