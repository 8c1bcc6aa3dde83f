"""python manage.py create_tenant <slug> --name "…" --kind care|education --admin-email …"""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.services import tenant_create


def format_validation_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m for e in errs for m in e.messages)}"
                         for field, errs in exc.error_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Provision a customer organisation: schema, subdomain and first administrator."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=["care", "education"])
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", default=None)

    def handle(self, *args, **opts):
        try:
            result = tenant_create(slug=opts["slug"], name=opts["name"], kind=opts["kind"],
                                   admin_email=opts["admin_email"],
                                   admin_password=opts["admin_password"])
        except ValidationError as exc:
            raise CommandError(format_validation_error(exc))
        self.stdout.write(self.style.SUCCESS(f"Klant '{result.tenant.name}' aangemaakt."))
        self.stdout.write(f"  URL:        http://{result.domain}:8000/")
        self.stdout.write(f"  Beheerder:  {result.admin_email}")
        self.stdout.write(f"  Wachtwoord: {result.admin_password}")
