from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationMode(models.TextChoices):
    PUBLIC = "public", _("Inscription ouverte")
    INVITATION = "invitation", _("Sur invitation")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmée")
    WAITING = "waiting", _("Liste d'attente")
    CANCELLED = "cancelled", _("Inscription annulée")


class ParticipantKind(models.TextChoices):
    """Who came as what: the basis of every impact figure."""

    PUBLIC_AGENT = "public_agent", _("Agent public")
    CITIZEN = "citizen", _("Usager ou usagère")
    MAKER = "maker", _("Maker")
    ELECTED = "elected", _("Élu ou élue")
    OTHER = "other", _("Autre")

    @classmethod
    def professionals(cls) -> set[str]:
        """Participations of professionals, as the lab reports them."""
        return {cls.PUBLIC_AGENT, cls.ELECTED, cls.MAKER, cls.OTHER}


class SeriesKind(models.TextChoices):
    TRAINING_CYCLE = "training_cycle", _("Cycle de formation-action")
    MARATHON = "marathon", _("Marathon de co-construction")


class Phase(models.TextChoices):
    PROBLEM = "problem", _("Problème posé")
    EXPLORATION = "exploration", _("Exploration")
    PROTOTYPE = "prototype", _("Prototype")
    FIELD_TEST = "field_test", _("Test sur le terrain")
    INCUBATOR = "incubator", _("Confiée à l'incubateur")
    GENERALISED = "generalised", _("Généralisée")
    STOPPED = "stopped", _("Arrêtée")

    @classmethod
    def final(cls) -> set[str]:
        return {cls.INCUBATOR, cls.GENERALISED, cls.STOPPED}


class HypothesisStatus(models.TextChoices):
    OPEN = "open", _("À vérifier")
    CONFIRMED = "confirmed", _("Confirmée")
    REFUTED = "refuted", _("Infirmée")


class FollowUp(models.TextChoices):
    SENT = "sent", _("Adressée")
    ACCEPTED = "accepted", _("Retenue")
    IMPLEMENTED = "implemented", _("Mise en œuvre")
    DECLINED = "declined", _("Non retenue")


class LinkStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggérée")
    ACCEPTED = "accepted", _("Acceptée")
    DISMISSED = "dismissed", _("Écartée")
