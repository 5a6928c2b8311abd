"""Demo accounts: one per role, with a shared password printed by `manage.py demo`."""

from django.db import transaction

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User

DEMO_PASSWORD = "kenlabour-demo"  # noqa: S105 - printed to the demo's user on purpose

# (e-mail, display name, platform-wide role or None, superuser)
DEMO_ACCOUNTS = [
    ("admin@kenlabour.example", "Gwenaëlle Admin", Role.PLATFORM_ADMIN, True),
    ("animatrice@kenlabour.example", "Nolwenn Le Bihan", Role.LAB_FACILITATOR, False),
    ("orga@kenlabour.example", "Yann Kerguelen", Role.ORGANISATION_ADMIN, False),
    ("membre@kenlabour.example", "Anne Le Goff", Role.ORGANISATION_MEMBER, False),
    ("tresorier@kenlabour.example", "Erwan Tanguy", Role.RELAY_TREASURER, False),
    ("financeur@kenlabour.example", "Maïwenn Riou", Role.FUNDER, False),
    ("coordination@kenlabour.example", "Soizic Le Meur", Role.CAMPAIGN_COORDINATOR, False),
    # The maker: the funding demo makes her the administrator of a fablab.
    ("fabricante@kenlabour.example", "Katell Le Roux", Role.ORGANISATION_ADMIN, False),
]


@transaction.atomic
def build(log) -> list[tuple[str, str]]:
    """Create or refresh the demo accounts; returns (e-mail, role label) pairs."""
    created = []
    for email, name, role, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_password(DEMO_PASSWORD)
        user.display_name = name
        user.is_staff = user.is_superuser = superuser
        user.is_active = True
        user.save()
        # Platform-wide for now; later apps scope these roles to their own objects.
        if role in (Role.PLATFORM_ADMIN, Role.FUNDER):
            RoleAssignment.objects.get_or_create(user=user, role=role, scope_type=None)
        created.append((email, str(role.label)))
    log(f"{len(created)} comptes de démonstration")
    return created
