"""python manage.py api_token <slug> <email>: print a DRF token for a user of that tenant."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.management.commands.create_tenant import format_validation_error
from tenants.services import tenant_api_token


class Command(BaseCommand):
    help = "Print an API token for a user of a tenant."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")

    def handle(self, *args, **opts):
        try:
            self.stdout.write(tenant_api_token(slug=opts["slug"], email=opts["email"]))
        except ValidationError as exc:
            raise CommandError(format_validation_error(exc))
