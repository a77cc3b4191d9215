from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from kravspar.accounts.models import User
from kravspar.accounts.twofactor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Reset two-factor login for USERNAME (or e-mail): the app key and recovery codes stop working and "
        "the person sets up a new app at the next password login. For supplier contacts, whom the people "
        "pages do not list; staff are reset by an administrator on the person's page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        ident = options["username"].strip()
        user = User.objects.filter(Q(username__iexact=ident) | Q(email__iexact=ident)).first()
        if user is None:
            raise CommandError(f"No person with username or e-mail {ident!r}.")
        two_factor_reset(actor=None, person=user)
        self.stdout.write(f"Two-factor login reset for {user.username}.")
