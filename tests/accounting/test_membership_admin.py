"""Memberships change only through the services (invitations, R2/R3): the admin shows them read-only."""

import pytest

from applications.models import Membership
from tests.applications.factories import MembershipFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    login_verified(client, staff_user)
    return client


def test_admin_shows_memberships_read_only_R2(admin_client):
    membership = MembershipFactory(role="contact")
    base = "/admin/applications/membership/"
    assert admin_client.get(f"{base}{membership.pk}/change/").status_code == 200
    response = admin_client.post(
        f"{base}{membership.pk}/change/",
        {"user": membership.user_id, "employer": membership.employer_id, "role": "accountability_officer"},
    )
    assert response.status_code == 403
    assert admin_client.post(f"{base}{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert b"delete_selected" not in admin_client.get(base).content
    assert Membership.objects.get(pk=membership.pk).role == "contact"
