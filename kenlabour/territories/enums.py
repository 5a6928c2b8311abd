from django.db import models
from django.utils.translation import gettext_lazy as _


class CommuneKind(models.TextChoices):
    """What a gazetteer entry is, in INSEE's words."""

    COMMUNE = "commune-actuelle", _("Commune")
    MUNICIPAL_ARRONDISSEMENT = "arrondissement-municipal", _("Arrondissement municipal")


class CoordinatesSource(models.TextChoices):
    """Where a commune's coordinates come from, from the most to the least precise.

    See docs/territories.md for the measured error of each fallback."""

    GEONAMES = "geonames", _("GeoNames (position du bourg)")
    POSTCODE = "postcode", _("Moyenne des communes du même code postal")
    EPCI = "epci", _("Moyenne des communes de l'intercommunalité")
    DEPARTEMENT = "departement", _("Chef-lieu du département ou moyenne de ses communes")


class EpciKind(models.TextChoices):
    """Kinds of EPCI à fiscalité propre, as coded by the DGCL."""

    COMMUNAUTE_COMMUNES = "CC", _("Communauté de communes")
    COMMUNAUTE_AGGLOMERATION = "CA", _("Communauté d'agglomération")
    COMMUNAUTE_URBAINE = "CU", _("Communauté urbaine")
    METROPOLE = "METRO", _("Métropole")
    METROPOLE_LYON = "MET69", _("Métropole de Lyon")
