from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kenlabour.accounts.enums import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    display_name = models.CharField(
        _("nom affiché"),
        max_length=150,
        blank=True,
        help_text=_("Le nom que les autres voient, par exemple « Anne Le Goff »."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class RoleAssignment(models.Model):
    """A role held by a user, on the whole platform or on one object (a lab, an organisation,
    a relay…). Later apps scope roles to their own objects through the generic `scope`."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("personne")
    )
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    scope_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("type")
    )
    scope_id = models.PositiveBigIntegerField(_("objet"), null=True, blank=True)
    scope = GenericForeignKey("scope_type", "scope_id")
    created_at = models.DateTimeField(_("attribué le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_type", "scope_id"],
                name="accounts_role_unique_scoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(scope_type__isnull=True),
                name="accounts_role_unique_global",
            ),
            models.CheckConstraint(
                condition=models.Q(scope_type__isnull=True, scope_id__isnull=True)
                | models.Q(scope_type__isnull=False, scope_id__isnull=False),
                name="accounts_role_scope_complete",
            ),
        ]
        indexes = [models.Index(fields=["scope_type", "scope_id", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class SignInSession(models.Model):
    """One signed-in session of a person (a browser, a phone), so that the account page can
    list them and close one left open elsewhere. The session itself lives in Django's
    session table; this row says who opened it, when, how and from what."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("mot de passe")
        OIDC = "oidc", _("fournisseur d'identité")
        OTHER = "other", _("autre")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sign_in_sessions", verbose_name=_("personne")
    )
    session_key = models.CharField(_("clé de session"), max_length=40, unique=True)
    method = models.CharField(
        _("connexion par"), max_length=16, choices=Method.choices, default=Method.OTHER
    )
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)

    class Meta:
        verbose_name = _("session ouverte")
        verbose_name_plural = _("sessions ouvertes")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d %H:%M}"
