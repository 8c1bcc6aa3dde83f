"""Writes for accounts: creating users and API tokens."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.accounts.models import Role, User


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_create(*, email: str, first_name: str = "", last_name: str = "", roles=(),
                password: str | None = None, is_staff: bool = False,
                is_superuser: bool = False) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Geen geldig e-mailadres."})
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Onbekende rol: {', '.join(sorted(unknown))}"})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "Er bestaat al een gebruiker met dit e-mailadres."})
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name,
        roles=list(roles), is_staff=is_staff, is_superuser=is_superuser,
    )


def tenant_admin_create(*, email: str, password: str, first_name: str = "",
                        last_name: str = "") -> User:
    """The tenant's first administrator: Django admin access within this schema only."""
    return user_create(email=email, password=password, first_name=first_name,
                       last_name=last_name, roles=[Role.TENANT_ADMIN, Role.MANAGER],
                       is_staff=True, is_superuser=True)


def api_token_for(*, user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
