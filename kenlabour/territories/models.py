"""The gazetteer: régions, départements, EPCI and communes of France, keyed by INSEE code.

Loaded from the files in `data/` by a data migration, so every database has all of it;
`manage.py load_territories` refreshes it when the files are regenerated.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kenlabour.territories.enums import CommuneKind, CoordinatesSource, EpciKind


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    # An INSEE code rather than a foreign key: the chef-lieu is a commune, loaded after.
    chef_lieu = models.CharField(_("chef-lieu (code INSEE)"), max_length=5)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name=_("région")
    )
    chef_lieu = models.CharField(_("chef-lieu (code INSEE)"), max_length=5)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An établissement public de coopération intercommunale à fiscalité propre."""

    code = models.CharField(_("numéro SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=8, choices=EpciKind.choices)

    class Meta:
        verbose_name = _("intercommunalité")
        verbose_name_plural = _("intercommunalités")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EpciKind.values), name="territories_epci_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune, or a municipal arrondissement of Paris, Lyon or Marseille."""

    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    # `geo.normalise(name)`: what name searches compare against.
    search_name = models.CharField(_("nom normalisé"), max_length=100, db_index=True)
    kind = models.CharField(
        _("nature"), max_length=32, choices=CommuneKind.choices, default=CommuneKind.COMMUNE
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", verbose_name=_("région")
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("intercommunalité"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name=_("commune de rattachement"),
        help_text=_("Pour un arrondissement municipal : Paris, Lyon ou Marseille."),
    )
    population = models.PositiveIntegerField(_("population municipale"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    coordinates_source = models.CharField(
        _("origine des coordonnées"), max_length=16, choices=CoordinatesSource.choices
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "code"]
        indexes = [
            # Prefilter of distance searches (a bounding box), see selectors.communes_within.
            models.Index(fields=["latitude", "longitude"], name="territories_commune_latlon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90),
                name="territories_commune_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="territories_commune_longitude_range",
            ),
            # 0,0 is in the Gulf of Guinea: it can only be a missing position.
            models.CheckConstraint(
                condition=~Q(latitude=0, longitude=0), name="territories_commune_not_null_island"
            ),
            models.CheckConstraint(
                condition=Q(population__gte=0), name="territories_commune_population_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CommuneKind.values), name="territories_commune_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(coordinates_source__in=CoordinatesSource.values),
                name="territories_commune_coordinates_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind=CommuneKind.COMMUNE, parent__isnull=True)
                | Q(kind=CommuneKind.MUNICIPAL_ARRONDISSEMENT, parent__isnull=False),
                name="territories_commune_parent_iff_arrondissement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"

    @property
    def is_arrondissement(self) -> bool:
        return self.kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT


class CommunePostcode(models.Model):
    """One postcode of a commune (a commune may have several, a postcode several communes)."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="postcodes", verbose_name=_("commune")
    )
    postcode = models.CharField(_("code postal"), max_length=5, db_index=True)

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        ordering = ["postcode"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "postcode"], name="territories_commune_postcode_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.postcode
