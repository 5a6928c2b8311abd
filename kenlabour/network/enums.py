from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    PERSON = "person", _("Personne")
    ORGANISATION = "organisation", _("Organisation")
    COLLECTIVE = "collective", _("Collectif")


class OrganisationKind(models.TextChoices):
    STATE = "state", _("Administration de l'État")
    REGIONAL_COUNCIL = "regional_council", _("Conseil régional")
    LOCAL_AUTHORITY = "local_authority", _("Autre collectivité (département, EPCI, commune)")
    PUBLIC_OPERATOR = "public_operator", _("Opérateur public")
    FABLAB = "fablab", _("Fablab")
    MAKER_COLLECTIVE = "maker_collective", _("Collectif de makers")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Entreprise")
    SCHOOL_RESEARCH = "school_research", _("Établissement d'enseignement ou de recherche")
    CARE = "care", _("Établissement ou service de soins")

    @classmethod
    def administrations(cls) -> set[str]:
        """Kinds whose directorates take part in workshops: what silos are made of."""
        return {cls.STATE, cls.REGIONAL_COUNCIL, cls.LOCAL_AUTHORITY, cls.PUBLIC_OPERATOR}


class ProfileKind(models.TextChoices):
    PUBLIC_AGENT = "public_agent", _("Agent public")
    MAKER = "maker", _("Maker")
    SEAMSTRESS = "seamstress", _("Couturière ou couturier")
    CITIZEN = "citizen", _("Usager")
    ELECTED = "elected", _("Élu")
    OTHER = "other", _("Autre")


class ResourceCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Équipement")
    MATERIAL = "material", _("Matière")
    SKILL = "skill", _("Compétence")
    SPACE = "space", _("Lieu")


class ResourceKind(models.TextChoices):
    """A controlled vocabulary, so that "who has a laser cutter" has one answer."""

    PRINTER_3D = "printer_3d", _("Imprimante 3D")
    LASER_CUTTER = "laser_cutter", _("Découpeuse laser")
    SEWING_MACHINE = "sewing_machine", _("Machine à coudre")
    CNC_MILL = "cnc_mill", _("Fraiseuse numérique")
    VINYL_CUTTER = "vinyl_cutter", _("Découpeuse vinyle")
    EMBROIDERY_MACHINE = "embroidery_machine", _("Brodeuse")
    FILAMENT = "filament", _("Filament d'impression")
    FABRIC = "fabric", _("Tissu")
    ELASTIC = "elastic", _("Élastique")
    SHEET_PLASTIC = "sheet_plastic", _("Feuilles plastiques (PET, PETG)")
    DESIGN = "design", _("Conception, modélisation")
    SEWING = "sewing", _("Couture")
    FACILITATION = "facilitation", _("Animation d'ateliers")
    LOGISTICS = "logistics", _("Logistique, livraison")
    WORKSHOP_SPACE = "workshop_space", _("Atelier de fabrication")
    MEETING_ROOM = "meeting_room", _("Salle de réunion")
    STORAGE = "storage", _("Stockage")

    @classmethod
    def category_of(cls, kind: str) -> str:
        return RESOURCE_CATEGORIES[kind]


RESOURCE_CATEGORIES = {
    ResourceKind.PRINTER_3D: ResourceCategory.EQUIPMENT,
    ResourceKind.LASER_CUTTER: ResourceCategory.EQUIPMENT,
    ResourceKind.SEWING_MACHINE: ResourceCategory.EQUIPMENT,
    ResourceKind.CNC_MILL: ResourceCategory.EQUIPMENT,
    ResourceKind.VINYL_CUTTER: ResourceCategory.EQUIPMENT,
    ResourceKind.EMBROIDERY_MACHINE: ResourceCategory.EQUIPMENT,
    ResourceKind.FILAMENT: ResourceCategory.MATERIAL,
    ResourceKind.FABRIC: ResourceCategory.MATERIAL,
    ResourceKind.ELASTIC: ResourceCategory.MATERIAL,
    ResourceKind.SHEET_PLASTIC: ResourceCategory.MATERIAL,
    ResourceKind.DESIGN: ResourceCategory.SKILL,
    ResourceKind.SEWING: ResourceCategory.SKILL,
    ResourceKind.FACILITATION: ResourceCategory.SKILL,
    ResourceKind.LOGISTICS: ResourceCategory.SKILL,
    ResourceKind.WORKSHOP_SPACE: ResourceCategory.SPACE,
    ResourceKind.MEETING_ROOM: ResourceCategory.SPACE,
    ResourceKind.STORAGE: ResourceCategory.SPACE,
}


class ModerationStatus(models.TextChoices):
    PENDING = "pending", _("En attente de modération")
    PUBLISHED = "published", _("Publié")
    REJECTED = "rejected", _("Refusé")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    MEMBER = "member", _("Membre")


class LinkSourceKind(models.TextChoices):
    """Where an acquaintance comes from; later apps record theirs through one service."""

    WORKSHOP = "workshop", _("Même atelier")
    EXPERIMENT = "experiment", _("Même expérimentation")
    DELIVERY = "delivery", _("Livraison")
    MEMBERSHIP = "membership", _("Même organisation ou collectif")
    PARTNERSHIP = "partnership", _("Partenariat déclaré")
    INTRODUCTION = "introduction", _("Mise en relation acceptée")


class IntroductionStatus(models.TextChoices):
    """Where an introduction request stands. A request left unanswered past its expiry date
    is shown as expired (`Introduction.state`), whatever its stored status."""

    AWAITING_INTERMEDIARY = "awaiting_intermediary", _("En attente de la personne qui présente")
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    REPORTED = "reported", _("Signalée comme abusive")
    EXPIRED = "expired", _("Expirée sans réponse")

    @classmethod
    def open(cls) -> set[str]:
        """The statuses that still wait for somebody's answer."""
        return {cls.AWAITING_INTERMEDIARY, cls.PENDING}


class ImportState(models.TextChoices):
    """Where an import under way stands. A big file is checked and imported by a task
    (services.imports.queue_import); a small one in the request, from READY."""

    READY = "ready", _("En préparation")
    QUEUED = "queued", _("En attente de vérification")
    RUNNING = "running", _("Vérification en cours")
    DONE = "done", _("Importé")
    FAILED = "failed", _("Refusé")

    @classmethod
    def working(cls) -> set[str]:
        """The states in which the task has the file: the steps are closed."""
        return {cls.QUEUED, cls.RUNNING}
