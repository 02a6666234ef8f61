import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in almost every test; PBKDF2's deliberate slowness (about a second a user
    here) is for production, not for tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    """The database with the seed fixture loaded, as `make run` loads it."""
    call_command("loaddata", "seeds", verbosity=0)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", password="pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.fixture
def api_client(db, django_user_model):
    """A REST client authenticated as a superuser (no zone roles needed)."""
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_superuser("api-admin", password="pw-for-tests-only")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def superuser_api(django_user_model):
    """A REST client authenticated as the superuser "chief"."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(
        django_user_model.objects.create_superuser("chief", password="pw-for-tests-only")
    )
    return client
