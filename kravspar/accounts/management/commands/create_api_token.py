from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kravspar.accounts.models import User
from kravspar.accounts.services import api_token_create
from kravspar.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Created on the command line", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active person with username {options['username']!r}.")
        try:
            _token, raw = api_token_create(actor=None, user=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(raw)
