"""People who log in. Each tenant schema holds its own accounts; the public schema holds
vendor staff. A session or token therefore only exists where it was made."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Medewerker")
    MANAGER = "manager", _("Leidinggevende")
    ASSESSOR = "assessor", _("Beoordelaar")
    TENANT_ADMIN = "tenant_admin", _("Functioneel beheerder")
    STUDENT_ADMIN = "student_admin", _("Studentenadministratie")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mailadres"), unique=True)
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), default=list, blank=True,
        verbose_name=_("rollen"),
    )
    # A vendor staff member working in this tenant through an audited support session.
    is_support = models.BooleanField(_("supportgebruiker"), default=False)
    language = models.CharField(_("taal"), max_length=5, default="nl",
                                choices=[("nl", "Nederlands"), ("en", "English")])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_tenant_admin(self) -> bool:
        return Role.TENANT_ADMIN in self.roles
