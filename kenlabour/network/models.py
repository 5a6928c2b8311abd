from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kenlabour.network.enums import (
    ActorKind,
    ImportState,
    IntroductionStatus,
    LinkSourceKind,
    MembershipRole,
    ModerationStatus,
    OrganisationKind,
    ProfileKind,
    ResourceKind,
)
from kenlabour.network.validators import validate_siret
from kenlabour.territories.models import Commune, Departement, Epci


class Actor(models.Model):
    """A person, an organisation or a collective (with or without a place).

    One table for the three, so that the directory, the map, the acquaintance graph and
    later funding treat them alike. Position and territory are copied from the commune by
    the services (never typed), so that distance and territory filters use indexes.
    """

    kind = models.CharField(_("type d'acteur"), max_length=16, choices=ActorKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("adresse de la page"), max_length=220, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    skills = models.TextField(_("savoir-faire"), blank=True)
    organisation_kind = models.CharField(
        _("type d'organisation"), max_length=24, choices=OrganisationKind.choices, blank=True
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("adresse e-mail de contact"), blank=True)

    place_less = models.BooleanField(
        _("sans lieu"),
        default=False,
        help_text=_(
            "Un collectif sans lieu (groupe informel, réseau en ligne) a une zone d'action."
        ),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    area_communes = models.ManyToManyField(
        Commune, blank=True, related_name="+", verbose_name=_("zone d'action : communes")
    )
    area_epcis = models.ManyToManyField(
        Epci, blank=True, related_name="+", verbose_name=_("zone d'action : intercommunalités")
    )
    area_departements = models.ManyToManyField(
        Departement, blank=True, related_name="+", verbose_name=_("zone d'action : départements")
    )

    public_consent = models.BooleanField(
        _("page publique"),
        default=False,
        help_text=_("Une personne n'apparaît en public qu'avec son accord."),
    )
    status = models.CharField(
        _("modération"),
        max_length=16,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
    )
    moderation_note = models.TextField(_("motif de modération"), blank=True)
    # A published actor renamed by its administrators keeps its name until a facilitator
    # accepts the new one (a name is who an actor is: nobody passes for another unseen).
    proposed_name = models.CharField(_("nouveau nom proposé"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actor",
        verbose_name=_("compte"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    accepts_introductions = models.BooleanField(
        _("accepte les demandes de mise en relation"),
        default=True,
        help_text=_(
            "Les personnes connectées peuvent vous écrire par la plateforme, sans voir votre "
            "adresse ; vous choisissez de répondre ou non."
        ),
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("acteur")
        verbose_name_plural = _("acteurs")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "kind", "organisation_kind"], name="network_actor_kind"),
            models.Index(fields=["departement", "status"], name="network_actor_dep"),
            models.Index(fields=["epci", "status"], name="network_actor_epci"),
            models.Index(fields=["latitude", "longitude"], name="network_actor_latlon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ActorKind.ORGANISATION, organisation_kind__gt="")
                | (~Q(kind=ActorKind.ORGANISATION) & Q(organisation_kind="")),
                name="network_actor_organisation_kind",
            ),
            models.CheckConstraint(
                condition=Q(place_less=False) | Q(kind=ActorKind.COLLECTIVE, commune__isnull=True),
                name="network_actor_place_less_collective",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="network_actor_position_complete",
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(kind=ActorKind.ORGANISATION),
                name="network_actor_siret_organisation",
            ),
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="network_actor_siret_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:actor", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == ModerationStatus.PUBLISHED and (
            self.kind != ActorKind.PERSON or self.public_consent
        )


class Directorate(models.Model):
    """A directorate (direction, service) of an administration: what takes part in a
    workshop, and what silos are made of."""

    organisation = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="directorates",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("direction")
        verbose_name_plural = _("directions")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="network_directorate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.acronym or self.name} ({self.organisation.name})"


class Profile(models.Model):
    """One of a person's profiles: public agent of an organisation and directorate, maker…"""

    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("personne")
    )
    kind = models.CharField(_("profil"), max_length=16, choices=ProfileKind.choices)
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_profiles",
        verbose_name=_("organisation"),
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("direction"),
    )

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "organisation"], name="network_profile_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_kind_display()}"


class Membership(models.Model):
    """A person's membership of an organisation or a collective."""

    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("personne")
    )
    group = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("organisation ou collectif"),
    )
    role = models.CharField(
        _("rôle"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    since = models.DateField(_("depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="network_membership_unique"),
            models.CheckConstraint(
                condition=~Q(person=F("group")), name="network_membership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ∈ {self.group}"


class Resource(models.Model):
    """Equipment, material, skill or space that an actor can put to use."""

    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="resources", verbose_name=_("acteur")
    )
    kind = models.CharField(_("ressource"), max_length=24, choices=ResourceKind.choices)
    quantity = models.PositiveIntegerField(_("nombre"), default=1)
    details = models.CharField(_("précisions"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "kind"], name="network_resource_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="network_resource_quantity"),
        ]
        indexes = [models.Index(fields=["kind", "actor"], name="network_resource_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class Link(models.Model):
    """An acquaintance between two actors (the lower id first). Its weight, first and last
    dates are computed from its sources by the selectors, never kept by hand."""

    actor_a = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    actor_b = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("lien d'interconnaissance")
        verbose_name_plural = _("liens d'interconnaissance")
        constraints = [
            models.UniqueConstraint(fields=["actor_a", "actor_b"], name="network_link_unique"),
            models.CheckConstraint(
                condition=Q(actor_a__lt=F("actor_b")), name="network_link_ordered"
            ),
        ]
        indexes = [models.Index(fields=["actor_b", "actor_a"], name="network_link_b")]

    def __str__(self) -> str:
        return f"{self.actor_a_id} — {self.actor_b_id}"


class LinkSource(models.Model):
    """One reason two actors know each other: a workshop, an experiment, a delivery, a
    shared membership or a declared partnership."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("origine"), max_length=16, choices=LinkSourceKind.choices)
    reference = models.CharField(_("référence"), max_length=64)
    label = models.CharField(_("libellé"), max_length=250, blank=True)
    date = models.DateField(_("date"))
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)

    class Meta:
        verbose_name = _("origine d'un lien")
        verbose_name_plural = _("origines des liens")
        constraints = [
            models.UniqueConstraint(
                fields=["link", "kind", "reference"], name="network_linksource_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="network_linksource_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class Introduction(models.Model):
    """A request to be put in touch with an actor (mise en relation), relayed by the
    platform: the actor's people read who asks and why, never an address, and answer. On
    acceptance each side sees the contact details the other chose to give, and the graph
    gets the link (services.record_cooperation). Through an intermediary (`via`), the
    person in the middle first agrees to present the requester."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_sent",
        verbose_name=_("demandeur"),
    )
    requester_actor = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="introductions_sent",
        verbose_name=_("au nom de"),
    )
    target = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="introductions_received",
        verbose_name=_("acteur sollicité"),
    )
    via = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions_relayed",
        verbose_name=_("présenté par"),
    )
    resource_kind = models.CharField(
        _("ressource"), max_length=24, choices=ResourceKind.choices, blank=True
    )
    message = models.TextField(_("objet de la demande"), max_length=2000)
    requester_contact = models.CharField(_("coordonnées du demandeur"), max_length=300)
    status = models.CharField(
        _("état"),
        max_length=24,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PENDING,
    )
    answer_contact = models.CharField(
        _("coordonnées données en réponse"), max_length=300, blank=True
    )
    answer_message = models.CharField(_("mot de réponse"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    introduced_at = models.DateTimeField(_("présenté le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))

    class Meta:
        verbose_name = _("mise en relation")
        verbose_name_plural = _("mises en relation")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "created_at"], name="network_intro_requester"),
            models.Index(fields=["target", "status"], name="network_intro_target"),
            models.Index(fields=["via", "status"], name="network_intro_via"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester_actor=F("target")), name="network_intro_not_self"
            ),
            models.CheckConstraint(
                condition=Q(via__isnull=True)
                | (~Q(via=F("target")) & ~Q(via=F("requester_actor"))),
                name="network_intro_via_between",
            ),
            models.CheckConstraint(
                condition=~Q(status=IntroductionStatus.EXPIRED), name="network_intro_expiry_derived"
            ),
            models.CheckConstraint(
                condition=~Q(status=IntroductionStatus.ACCEPTED) | ~Q(answer_contact=""),
                name="network_intro_accepted_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_actor_id} → {self.target_id}"

    def get_absolute_url(self) -> str:
        return reverse("network:introduction", kwargs={"pk": self.pk})

    def state(self, now) -> str:
        """The status as people see it: an open request past its date has expired."""
        if self.status in IntroductionStatus.open() and self.expires_at <= now:
            return IntroductionStatus.EXPIRED
        return self.status

    def state_label(self, now) -> str:
        return IntroductionStatus(self.state(now)).label


class IntroductionBlock(models.Model):
    """An actor no longer receives requests from this account (set when its people decline
    or report a request; they may lift it)."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="introduction_blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocage des mises en relation")
        verbose_name_plural = _("blocages des mises en relation")
        constraints = [
            models.UniqueConstraint(fields=["actor", "user"], name="network_intro_block_unique")
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} ⊘ {self.user_id}"


class PendingImport(models.Model):
    """A file being imported, kept between the steps of the import (columns, values,
    preview): one per person, replaced by their next file, deleted once imported or
    abandoned. Kept in the database rather than on disk, so that any application server
    answers the next step; the file is 5 MB at most (forms.MAX_IMPORT_BYTES)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("nom du fichier"), max_length=255)
    data = models.BinaryField(_("contenu"))
    # For each header of the file, in turn: the column it holds, "" to ignore it.
    columns = models.JSONField(_("colonnes"), default=list)
    # For the words the import does not know: {column: {word's key: chosen value}}.
    values = models.JSONField(_("valeurs"), default=dict)
    # A big file is checked and imported by a task (services.imports.queue_import): its
    # state, how many rows the check has gone through, and what the progress page shows at the end
    # (the actors created, or the errors by line and column). Once imported, the file's
    # content is emptied and the row stays for that page until the person's next file.
    state = models.CharField(
        _("état"), max_length=16, choices=ImportState.choices, default=ImportState.READY
    )
    checked_rows = models.PositiveIntegerField(_("lignes vérifiées"), default=0)
    total_rows = models.PositiveIntegerField(_("lignes du fichier"), default=0)
    outcome = models.JSONField(_("résultat"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import en cours")
        verbose_name_plural = _("imports en cours")

    def __str__(self) -> str:
        return self.filename


class ImportMapping(models.Model):
    """The columns (and words) a person chose for a file, found again for their next file
    with the same headers (`spreadsheet.headers_signature`): labs export the same table
    month after month. Kept per person, not per organisation: the person who imports is a
    facilitator of the lab, and one person's choices never change what another sees."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(_("en-têtes"), max_length=64)
    columns = models.JSONField(_("colonnes"), default=list)
    values = models.JSONField(_("valeurs"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("correspondance d'import")
        verbose_name_plural = _("correspondances d'import")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "signature"], name="network_importmapping_unique"
            )
        ]

    def __str__(self) -> str:
        return self.signature[:80]
