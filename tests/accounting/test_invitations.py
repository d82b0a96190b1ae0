import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounting import services
from accounting.models import Invitation
from applications.constants import MembershipRole
from applications.models import Membership
from sectorplan.api.errors import DomainError, StateConflict
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.problems import problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def _token_from_mail(message) -> str:
    return re.search(r"/account/uitnodiging/([^/\s]+)/", message.body).group(1)


def test_contact_invites_by_mail_and_new_person_registers_R3(client, django_capture_on_commit_callbacks):
    contact = MembershipFactory(role=MembershipRole.CONTACT).user
    employer = contact.memberships.get().employer
    login_verified(client, contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/uitnodigen/", {"employer": employer.pk, "email": "New@Example.org",
                                                         "role": MembershipRole.ACCOUNTABILITY_OFFICER})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]
    token = _token_from_mail(mail.outbox[0])
    assert Invitation.objects.get().token_hash != token  # only the hash is stored
    client.logout()
    response = client.post(f"/account/uitnodiging/{token}/",
                           {"username": "newofficer", "password": "a-Long-pass-2026", "password_again": "a-Long-pass-2026"})
    assert response.status_code == 302, response.content.decode()
    membership = Membership.objects.get(user__username="newofficer")
    assert (membership.employer, membership.role) == (employer, MembershipRole.ACCOUNTABILITY_OFFICER)
    assert membership.user.email == "new@example.org"


def test_existing_user_gets_the_employer_added_R2_R3():
    contact = MembershipFactory().user
    employer_b = contact.memberships.get().employer
    existing = MembershipFactory(role=MembershipRole.ACCOUNTABILITY_OFFICER).user  # member of employer A
    _inv, token = services.invitation_create(employer=employer_b, email=existing.email,
                                             role=MembershipRole.ACCOUNTABILITY_OFFICER, by=contact)
    services.invitation_accept(token=token, user=existing)
    assert set(existing.memberships.values_list("employer", flat=True)) == {
        employer_b.pk, existing.memberships.exclude(employer=employer_b).get().employer_id}


def test_invitation_is_single_use_R3():
    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    _inv, token = services.invitation_create(employer=employer, email="x@example.org", role="contact", by=contact)
    services.invitation_accept(token=token, user=UserFactory())
    with pytest.raises(StateConflict):
        services.invitation_accept(token=token, user=UserFactory())


def test_invitation_expires_after_14_days_R3():
    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    _inv, token = services.invitation_create(employer=employer, email="x@example.org", role="contact", by=contact)
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(token=token, user=UserFactory(), now=timezone.now() + timedelta(days=14, seconds=1))
    assert exc.value.errors[0]["code"] == "expired"
    services.invitation_accept(token=token, user=UserFactory(), now=timezone.now() + timedelta(days=13, hours=23))


def test_accountability_officer_may_not_invite_R3(client):
    officer = MembershipFactory(role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    employer = officer.memberships.get().employer
    with pytest.raises(DomainError):
        services.invitation_create(employer=employer, email="x@example.org", role="contact", by=officer)
    login_verified(client, officer)
    assert client.get("/account/uitnodigen/").status_code == 404


def test_contact_cannot_invite_for_another_employer_R2(client_for):
    """v2 names the employer in the path: another employer's is a 404 (R2), as for any object."""
    contact = MembershipFactory().user
    other = EmployerFactory()
    response = client_for(contact).post(f"/api/v2/employers/{other.pk}/invitations",
                                        {"email": "x@example.org", "role": "contact"}, format="json")
    assert response.status_code == 404
    assert problems(response)[0]["code"] == "not_found"
    assert not Invitation.objects.exists()


def test_invitation_api_and_accept_R3(client_for, django_capture_on_commit_callbacks):
    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(contact).post(f"/api/v2/employers/{employer.pk}/invitations", {"email": "y@example.org",
                                                                       "role": "accountability_officer"}, format="json")
    assert response.status_code == 201
    token = _token_from_mail(mail.outbox[0])
    user = UserFactory()
    response = client_for(user).post("/api/v2/invitations/accept", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.json() == {"employer": employer.pk, "role": "accountability_officer"}
    assert client_for(user).post("/api/v2/invitations/accept", {"token": token}, format="json").status_code == 409
    assert client_for(user).post("/api/v2/invitations/accept", {"token": "nonsense"}, format="json").status_code == 400


def test_expired_link_shows_a_message_R3(client):
    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    inv, token = services.invitation_create(employer=employer, email="x@example.org", role="contact", by=contact)
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/account/uitnodiging/{token}/")
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert not client.post(f"/account/uitnodiging/{token}/", {"username": "u", "password": "a-Long-pass-2026",
                                                             "password_again": "a-Long-pass-2026"}).status_code == 302


def test_logged_in_account_accepts_in_the_portal_and_acts_for_the_employer_R2_R3(client):
    from applications.portal import SESSION_KEY

    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    _inv, token = services.invitation_create(employer=employer, email="z@example.org", role="contact", by=contact)
    user = MembershipFactory().user  # already member of another employer
    login_verified(client, user)
    assert client.get(f"/account/uitnodiging/{token}/").status_code == 200
    assert client.post(f"/account/uitnodiging/{token}/").status_code == 302
    assert user.memberships.count() == 2
    assert client.session[SESSION_KEY] == employer.pk


def test_registering_with_a_taken_username_is_refused_R3(client):
    contact = MembershipFactory().user
    employer = contact.memberships.get().employer
    _inv, token = services.invitation_create(employer=employer, email="z@example.org", role="contact", by=contact)
    response = client.post(f"/account/uitnodiging/{token}/", {"username": contact.username, "password": "a-Long-pass-2026",
                                                             "password_again": "a-Long-pass-2026"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Invitation.objects.get().accepted_at is None
