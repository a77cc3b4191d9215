"""Within seed_demo the published demo password is hashed once: every demo account gets that
hash, and it still checks; other passwords, and everything after the block, hash as usual."""

from django.contrib.auth import base_user
from django.contrib.auth.hashers import check_password

from kravspar.core.management.commands.seed_demo import DEMO_PASSWORD, demo_password_hashed_once
from kravspar.testing.factories import UserFactory


def test_the_demo_password_is_hashed_once_and_still_checks(db):
    real = base_user.make_password
    with demo_password_hashed_once():
        first, second = UserFactory.build(), UserFactory.build()
        first.set_password(DEMO_PASSWORD)
        second.set_password(DEMO_PASSWORD)
        other = UserFactory.build()
        other.set_password("något-annat-lösenord")
        again = UserFactory.build()
        again.set_password("något-annat-lösenord")
    assert first.password == second.password
    assert first.check_password(DEMO_PASSWORD) and not first.check_password("fel")
    assert other.password != again.password and check_password("något-annat-lösenord", other.password)
    assert base_user.make_password is real
    after = UserFactory.build()
    after.set_password(DEMO_PASSWORD)
    assert after.password != first.password
