import pytest

from tests.procedures.builders import pinned_today, staff  # noqa: F401


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Six users a test: the production hasher (PBKDF2, 1 M rounds) would cost 7 s of each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
