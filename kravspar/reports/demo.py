"""Demo data of reports, called by `seed_demo` after contracts and follow-ups exist.

The demo's contracts, follow-ups, deviations and sanctions already fill the dashboard. What
it lacks is a reader of one region: the demo's `lasare` sits in the joint Inköp unit and so
sees both regions. `lasare.vastmanland` is management in Region Västmanland and sees only
Västmanland (and its companies), which is what the report's access rule is shown with."""

from __future__ import annotations

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.accounts.services import person_create
from kravspar.organisations.models import Organisation

READER_USERNAME = "lasare.vastmanland"
VASTMANLAND_ORG_NUMBER = "2321000172"


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    from kravspar.core.management.commands.seed_demo import DEMO_PASSWORD

    region = Organisation.objects.filter(org_number=VASTMANLAND_ORG_NUMBER).first()
    if region is None:
        return []
    if not User.objects.filter(username=READER_USERNAME).exists():
        person_create(
            actor=None,
            username=READER_USERNAME,
            email=f"{READER_USERNAME}@demo.kravspar.se",
            first_name="Vera",
            last_name="Läsare",
            organisation=region,
            unit=None,
            roles=[Role.READER],
            password=DEMO_PASSWORD,
            send_invitation=False,
        )
    return [(READER_USERNAME, str(Role.READER.label), "Vera Läsare (Region Västmanland)")]
