import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.lab.enums import (
    FollowUp,
    HypothesisStatus,
    LinkStatus,
    ParticipantKind,
    Phase,
    RegistrationMode,
    RegistrationStatus,
    SeriesKind,
)
from kenlabour.network.models import Actor, Directorate
from kenlabour.territories.models import Commune, Departement

# Every date of the lab lies within these years (the lab's history starts in the 2000s):
# a year 1 or 9999 typed by mistake is refused at the form and by the database.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)
EARLIEST_MOMENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST_MOMENT = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)  # excluded
MAX_CAPACITY = 10_000


def day_within_bounds(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": EARLIEST_DAY, f"{field}__lte": LATEST_DAY})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def moment_within_bounds(field: str) -> Q:
    return Q(**{f"{field}__gte": EARLIEST_MOMENT, f"{field}__lt": LATEST_MOMENT})


class Lab(models.Model):
    """A public-innovation lab. Several labs share one platform; what a lab publishes,
    every lab sees."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("adresse"), unique=True)
    description = models.TextField(_("présentation"), blank=True)
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="labs",
        verbose_name=_("organisation porteuse"),
    )
    region_name = models.CharField(_("territoire"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("laboratoire")
        verbose_name_plural = _("laboratoires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("adresse"), unique=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Public(models.Model):
    """A target public: a segment or a persona ("jeunes de 16 à 25 ans sans emploi")."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("adresse"), unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("public")
        verbose_name_plural = _("publics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Method(models.Model):
    """A facilitation method of the library (world café, personas, user journey…)."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("adresse"), unique=True)
    how_to = models.TextField(_("mode d'emploi"))

    class Meta:
        verbose_name = _("méthode d'animation")
        verbose_name_plural = _("méthodes d'animation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """Workshops grouped with one cohort: a training-action cycle or a marathon."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), unique=True)
    kind = models.CharField(_("format"), max_length=16, choices=SeriesKind.choices)
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("série d'ateliers")
        verbose_name_plural = _("séries d'ateliers")

    def __str__(self) -> str:
        return self.title


class Experiment(models.Model):
    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, related_name="experiments", verbose_name=_("laboratoire")
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=220, unique=True)
    problem = models.TextField(_("problème tel que posé"))
    reframed_problem = models.TextField(_("problème reformulé"), blank=True)
    summary = models.TextField(_("présentation publique"), blank=True)
    private_notes = models.TextField(_("notes de l'équipe (privées)"), blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="experiments", verbose_name=_("thèmes")
    )
    publics = models.ManyToManyField(
        Public, blank=True, related_name="experiments", verbose_name=_("publics")
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="+", verbose_name=_("communes")
    )
    departements = models.ManyToManyField(
        Departement, blank=True, related_name="+", verbose_name=_("départements")
    )
    partners = models.ManyToManyField(
        Actor, blank=True, related_name="partner_experiments", verbose_name=_("partenaires")
    )
    partner_directorates = models.ManyToManyField(
        Directorate, blank=True, related_name="experiments", verbose_name=_("directions")
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="lab_experiments",
        verbose_name=_("équipe"),
    )
    phase = models.CharField(
        _("étape"), max_length=16, choices=Phase.choices, default=Phase.PROBLEM
    )
    incubator = models.CharField(_("incubateur"), max_length=200, blank=True)
    handed_over_on = models.DateField(_("confiée le"), null=True, blank=True)
    resulting_service = models.CharField(_("service qui en est né"), max_length=200, blank=True)
    stop_reason = models.TextField(_("raison de l'arrêt"), blank=True)
    published = models.BooleanField(_("publiée"), default=False)
    started_on = models.DateField(_("commencée le"))
    search_text = models.TextField(editable=False, default="")
    # Bumped on every save: the version of the interconnections index (selectors).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expérimentation")
        verbose_name_plural = _("expérimentations")
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phase=Phase.INCUBATOR)
                | (~Q(incubator="") & Q(handed_over_on__isnull=False)),
                name="lab_experiment_handoff_complete",
            ),
            models.CheckConstraint(
                condition=~Q(phase=Phase.STOPPED) | ~Q(stop_reason=""),
                name="lab_experiment_stop_reason",
            ),
            models.CheckConstraint(
                condition=day_within_bounds("started_on"), name="lab_experiment_started_on_bounds"
            ),
            models.CheckConstraint(
                condition=day_within_bounds("handed_over_on", nullable=True),
                name="lab_experiment_handed_over_on_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lab:experiment", kwargs={"slug": self.slug})


class PhaseChange(models.Model):
    """The dated history of an experiment's phases."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="phase_changes"
    )
    phase = models.CharField(_("étape"), max_length=16, choices=Phase.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("commentaire"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=day_within_bounds("date"), name="lab_phasechange_date_bounds"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experiment} → {self.get_phase_display()} ({self.date})"


class Hypothesis(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="hypotheses")
    text = models.TextField(_("hypothèse"))
    status = models.CharField(
        _("statut"), max_length=16, choices=HypothesisStatus.choices, default=HypothesisStatus.OPEN
    )

    def __str__(self) -> str:
        return self.text[:80]


class Indicator(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    baseline = models.DecimalField(_("valeur de départ"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="lab_measurement_unique"),
            models.CheckConstraint(
                condition=day_within_bounds("date"), name="lab_measurement_date_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.date})"


class Result(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="results")
    text = models.TextField(_("résultat"))
    date = models.DateField(_("date"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=day_within_bounds("date"), name="lab_result_date_bounds"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Recommendation(models.Model):
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="recommendations"
    )
    addressed_to = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="recommendations_received",
        verbose_name=_("adressée à"),
    )
    text = models.TextField(_("préconisation"))
    follow_up = models.CharField(
        _("suite donnée"), max_length=16, choices=FollowUp.choices, default=FollowUp.SENT
    )
    follow_up_note = models.TextField(_("précisions sur la suite"), blank=True)

    def __str__(self) -> str:
        return self.text[:80]


class Interconnection(models.Model):
    """A suggested or decided link between two experiments (the lower id first)."""

    experiment_a = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="+")
    experiment_b = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("statut"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.SUGGESTED
    )
    reasons = models.TextField(_("raisons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment_a", "experiment_b"], name="lab_interconnection_unique"
            ),
            models.CheckConstraint(
                condition=Q(experiment_a__lt=F("experiment_b")), name="lab_interconnection_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.experiment_a_id} — {self.experiment_b_id}"


class Workshop(models.Model):
    lab = models.ForeignKey(
        Lab, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("laboratoire")
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=220, unique=True)
    purpose = models.TextField(_("objectif"))
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    online_url = models.URLField(_("lien de la visioconférence"), blank=True)
    method = models.ForeignKey(
        Method,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("méthode"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_workshops",
        verbose_name=_("animateurs"),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="workshops", verbose_name=_("thèmes")
    )
    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("expérimentation"),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("série"),
    )
    capacity = models.PositiveIntegerField(_("nombre de places"))
    registration_mode = models.CharField(
        _("inscription"),
        max_length=16,
        choices=RegistrationMode.choices,
        default=RegistrationMode.PUBLIC,
    )
    registration_closed = models.BooleanField(_("inscriptions closes"), default=False)
    attendance_code = models.CharField(_("code de présence"), max_length=12, blank=True)
    synthesis = models.TextField(_("synthèse"), blank=True)
    published = models.BooleanField(_("publié"), default=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(_("raison de l'annulation"), blank=True)

    class Meta:
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["lab", "starts_at"], name="lab_workshop_lab_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="lab_workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="lab_workshop_capacity",
            ),
            models.CheckConstraint(
                condition=moment_within_bounds("starts_at") & moment_within_bounds("ends_at"),
                name="lab_workshop_dates_bounds",
            ),
            models.CheckConstraint(
                condition=Q(commune__isnull=False) | ~Q(online_url=""),
                name="lab_workshop_has_place",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lab:workshop", kwargs={"slug": self.slug})

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()


class WorkshopFile(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="ateliers/%Y/")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """A seat asked for a workshop: confirmed, on the waiting list, or cancelled."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_registrations",
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField(_("statut"), max_length=16, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the reminder e-mail was enqueued: reminders are sent once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "email"], name="lab_registration_unique"),
        ]
        indexes = [
            models.Index(fields=["workshop", "status", "created_at"], name="lab_registration_queue")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.workshop}"


class Attendance(models.Model):
    """Who came, as what: the record every impact figure is computed from."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="attendances")
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    person = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("personne"),
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("à quel titre"), max_length=16, choices=ParticipantKind.choices)
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_attendances",
        verbose_name=_("organisation"),
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("direction"),
    )
    # An organisation or directorate absent from the directory, kept as typed.
    organisation_name = models.CharField(
        _("organisation (hors annuaire)"), max_length=200, blank=True
    )
    directorate_name = models.CharField(_("direction (hors annuaire)"), max_length=200, blank=True)
    walk_in = models.BooleanField(_("sans inscription"), default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        indexes = [models.Index(fields=["workshop", "kind"], name="lab_attendance_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "person"],
                condition=Q(person__isnull=False),
                name="lab_attendance_person_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ParticipantKind.PUBLIC_AGENT)
                | Q(organisation__isnull=False)
                | ~Q(organisation_name=""),
                name="lab_attendance_agent_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.workshop}"

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def directorate_label(self) -> str:
        return self.directorate.name if self.directorate_id else self.directorate_name
