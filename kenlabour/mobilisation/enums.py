from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    FACE_SHIELD = "face_shield", _("Visière")
    FABRIC_MASK = "fabric_mask", _("Masque en tissu")
    GOWN = "gown", _("Surblouse")
    OTHER = "other", _("Autre")


class RequesterKind(models.TextChoices):
    """Carers' organisations that asked for equipment in 2020."""

    HOSPITAL = "hospital", _("Hôpital, clinique")
    NURSING_HOME = "nursing_home", _("EHPAD, maison de retraite")
    PHARMACY = "pharmacy", _("Pharmacie")
    HOME_CARE = "home_care", _("Service de soins ou d'aide à domicile")
    MEDICAL_PRACTICE = "medical_practice", _("Cabinet médical, maison de santé")
    TOWN_HALL = "town_hall", _("Mairie, CCAS")
    OTHER = "other", _("Autre")


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("Normale")
    URGENT = 2, _("Urgente")
    CRITICAL = 3, _("Vitale (rupture imminente)")


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Déposé, à vérifier")
    VALIDATED = "validated", _("Validé")
    MATCHED = "matched", _("Attribué à des producteurs")
    PARTLY_DELIVERED = "partly_delivered", _("Livré en partie")
    DELIVERED = "delivered", _("Livré")
    CANCELLED = "cancelled", _("Annulé")

    @classmethod
    def counted(cls) -> set[str]:
        """Needs that count in the figures: verified by a coordinator, not cancelled."""
        return {cls.VALIDATED, cls.MATCHED, cls.PARTLY_DELIVERED, cls.DELIVERED}

    @classmethod
    def open_for_matching(cls) -> set[str]:
        return {cls.VALIDATED, cls.MATCHED, cls.PARTLY_DELIVERED}


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposition")
    CONFIRMED = "confirmed", _("Confirmée")
    DISCARDED = "discarded", _("Écartée")


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", _("À livrer")
    DECLARED = "declared", _("Livraison déclarée")
    CONFIRMED = "confirmed", _("Réception confirmée")
    DISCREPANCY = "discrepancy", _("Écart signalé")
    CANCELLED = "cancelled", _("Annulée")


class MaterialKind(models.TextChoices):
    FILAMENT = "filament", _("Filament d'impression (PLA, PETG)")
    SHEET_PLASTIC = "sheet_plastic", _("Feuilles plastiques (PET, PETG)")
    ELASTIC = "elastic", _("Élastique")
    FABRIC = "fabric", _("Tissu")
    THREAD = "thread", _("Fil")
    OTHER = "other", _("Autre")


class MaterialDirection(models.TextChoices):
    REQUEST = "request", _("Demande")
    DONATION = "donation", _("Don")


class MaterialStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    FULFILLED = "fulfilled", _("Satisfaite")
    WITHDRAWN = "withdrawn", _("Retirée")
