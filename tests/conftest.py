import pytest
from rest_framework.test import APIClient

from tests.applications.factories import UserFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user)`` gives an API client authenticated as ``user`` (or anonymous for None)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", roles=["office_reviewer"])


@pytest.fixture
def decider(db):
    return UserFactory(username="decider", roles=["office_decider"])


@pytest.fixture
def commission_user(db):
    return UserFactory(username="commission", roles=["commission"])


@pytest.fixture
def ministry_user(db):
    return UserFactory(username="ministry", roles=["ministry"])


@pytest.fixture
def plain_user(db):
    return UserFactory(username="plain")


@pytest.fixture(autouse=True)
def _private_storage_in_tmp(settings, tmp_path):
    """Receipts (R42) and letters are stored privately: in tests under a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-store"), "base_url": None},
        },
    }
