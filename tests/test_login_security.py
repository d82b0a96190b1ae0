"""R41 (issue 16, item 6): a second factor for office, Commission and staff accounts; lockout per account and
address on the portal, the admin and the token endpoint; tokens that expire, rotate and die; no answer tells
whether a username exists; a contact adds colleagues only by invitation."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications.models import Membership
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.problems import problem, problems
from tests.support.otp import login_verified, totp_code, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"  # noqa: S105
TOKEN = "/api/v2/auth/token"
OFFICE_PAGE = "/kantoor/aanvragen/"


def _user(username, roles=(), staff=False):
    user = UserFactory(username=username, roles=list(roles), is_staff=staff, is_superuser=staff)
    user.set_password(PASSWORD)
    user.save()
    return user


def _token(username, password=PASSWORD, otp=None, client=None):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return (client or APIClient()).post(TOKEN, body, format="json")


def _portal_login(client, username, password=PASSWORD, otp=""):
    return client.post("/inloggen/", {"username": username, "password": password, "otp": otp})


# --- second factor: portal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("roles,staff", [(["office_reviewer"], False), (["office_decider"], False),
                                         (["commission"], False), ([], True)])
def test_r41_portal_login_of_an_office_commission_or_staff_account_needs_the_totp_code(roles, staff):
    user = _user("kantoor", roles, staff)
    device = totp_device(user)
    client = Client()
    refused = _portal_login(client, "kantoor")
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    wrong = _portal_login(client, "kantoor", otp="000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own delay after a wrong code; axes counts failures here
    device.save()
    ok = _portal_login(client, "kantoor", otp=totp_code(device))
    assert ok.status_code == 302, ok.content
    assert client.session["otp_device_id"] == device.persistent_id


def test_r41_an_office_user_who_logged_in_with_the_code_opens_the_office_pages():
    user = _user("beoordelaar", ["office_reviewer"])
    client = Client()
    assert _portal_login(client, "beoordelaar", otp=totp_code(totp_device(user))).status_code == 302
    assert client.get(OFFICE_PAGE).status_code == 200


def test_r41_an_office_session_without_a_verified_device_counts_as_logged_out():
    user = _user("beoordelaar", ["office_reviewer"])
    client = Client()
    client.force_login(user)  # a session without the second factor
    response = client.get(OFFICE_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert login_verified(Client(), user).get(OFFICE_PAGE).status_code == 200


def test_r41_an_employer_account_logs_in_with_its_password_only():
    _user("werkgever")
    client = Client()
    assert _portal_login(client, "werkgever").status_code == 302
    assert client.get("/").status_code == 200


def test_r41_the_admin_asks_for_the_code():
    user = _user("beheer", staff=True)
    device = totp_device(user)
    client = Client()
    refused = client.post("/admin/login/", {"username": "beheer", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    ok = client.post("/admin/login/", {"username": "beheer", "password": PASSWORD,
                                       "otp_device": device.persistent_id, "otp_token": totp_code(device)})
    assert ok.status_code == 302, ok.content
    assert client.get("/admin/").status_code == 200
    # a staff session without the second factor does not reach the admin
    plain = Client()
    plain.force_login(user)
    assert plain.get("/admin/").status_code == 302


# --- second factor: token endpoint --------------------------------------------------------------------------


def test_r41_token_endpoint_requires_otp_for_office_accounts():
    user = _user("beslisser", ["office_decider"])
    no_device = _token("beslisser", otp="123456")
    assert no_device.status_code == 400
    assert [(p["field"], p["code"]) for p in problems(no_device)] == [("otp", "no_second_factor")]
    device = totp_device(user)
    missing = _token("beslisser")
    assert [(p["field"], p["code"]) for p in problems(missing)] == [("otp", "required")]
    ok = _token("beslisser", otp=totp_code(device))
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert set(body) == {"token", "expires"}
    assert Token.objects.get(user=user).key == body["token"]


def test_r41_employer_token_needs_no_otp_and_lives_30_days():
    user = _user("werkgever")
    response = _token("werkgever")
    assert response.status_code == 200, response.content
    token = Token.objects.get(user=user)
    expires = response.json()["expires"]
    assert expires.endswith("Z")
    assert (token.created + timedelta(days=30)).isoformat().startswith(expires[:16])


def test_r41_an_office_token_expires_after_24_hours():
    user = _user("beoordelaar", ["office_reviewer"])
    key = _token("beoordelaar", otp=totp_code(totp_device(user))).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v2/regions").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=24, seconds=1))
    expired = client.get("/api/v2/regions")
    assert expired.status_code == 401
    assert problem(expired)["code"] == "token_expired"
    assert not Token.objects.filter(key=key).exists()


def test_r41_reissuing_rotates_the_token_and_revokes_the_old_one():
    _user("werkgever")
    first = _token("werkgever").json()["token"]
    second = _token("werkgever").json()["token"]
    assert first != second
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get("/api/v2/regions").status_code == 401
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert new.get("/api/v2/regions").status_code == 200


def test_r41_a_password_change_revokes_the_tokens():
    user = _user("werkgever")
    key = _token("werkgever").json()["token"]
    user.set_password("another-long-password-2")
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v2/regions").status_code == 401


def test_r41_delete_revokes_the_callers_token():
    _user("werkgever")
    key = _token("werkgever").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    assert client.get("/api/v2/regions").status_code == 401
    assert APIClient().delete(TOKEN).status_code == 401


# --- lockout (django-axes) ----------------------------------------------------------------------------------


def test_r41_token_endpoint_locks_the_account_out_with_429_and_retry_after():
    _user("werkgever")
    for _attempt in range(4):
        assert _token("werkgever", password="wrong").status_code == 400
    assert _token("werkgever", password="wrong").status_code == 429  # the fifth failure locks
    locked = _token("werkgever")  # the right password, right after the failures
    assert locked.status_code == 429
    assert problem(locked)["code"] == "locked_out"
    assert int(locked["Retry-After"]) == 15 * 60


def test_r41_token_endpoint_locks_an_address_out_that_tries_many_accounts():
    _user("werkgever")
    for attempt in range(5):
        _token(f"guess{attempt}", password="wrong")
    locked = _token("werkgever")
    assert locked.status_code == 429 and locked["Retry-After"]
    # another address is not locked out, and the account had no failure of its own
    assert _token("werkgever", client=APIClient(REMOTE_ADDR="10.0.0.9")).status_code == 200


def test_r41_wrong_totp_codes_count_towards_the_lockout():
    user = _user("beslisser", ["office_decider"])
    device = totp_device(user)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    for _attempt in range(5):
        _token("beslisser", otp=wrong)
    assert _token("beslisser", otp=totp_code(device, steps_ahead=1)).status_code == 429


def test_r41_portal_login_is_locked_out_after_five_failures():
    _user("werkgever")
    client = Client()
    for _attempt in range(5):
        _portal_login(client, "werkgever", password="wrong")
    locked = _portal_login(client, "werkgever")
    assert locked.status_code == 429 and locked["Retry-After"]
    assert "_auth_user_id" not in client.session


def test_r41_admin_login_is_locked_out_after_five_failures():
    _user("beheer", staff=True)
    client = Client()
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "beheer", "password": "wrong", "otp_token": "123456"})
    locked = client.post("/admin/login/", {"username": "beheer", "password": PASSWORD})
    assert locked.status_code == 429


# --- nothing tells whether a username exists ----------------------------------------------------------------


def test_r41_token_endpoint_answers_an_unknown_user_as_a_wrong_password():
    _user("werkgever")
    unknown = _token("niemand", password="wrong")
    wrong = _token("werkgever", password="wrong")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


def test_r41_portal_login_answers_an_unknown_user_as_a_wrong_password_or_code():
    _user("werkgever")
    _user("beoordelaar", ["office_reviewer"])
    pages = [_portal_login(Client(), name, password=pw).content.decode()
             for name, pw in (("niemand", "wrong"), ("werkgever", "wrong"), ("beoordelaar", PASSWORD))]
    errors = [page[page.index('id="error-summary"'):page.index("</ul>", page.index('id="error-summary"'))] for page in pages]
    assert errors[0] == errors[1] == errors[2]


# --- colleagues only by invitation (R3) ---------------------------------------------------------------------


def test_r3_a_contact_cannot_link_an_account_directly():
    contact = MembershipFactory(role="contact")
    office = _user("beoordelaar", ["office_reviewer"])
    client = APIClient()
    client.force_authenticate(contact.user)
    response = client.post(f"/api/v2/employers/{contact.employer_id}/members",
                           {"username": "beoordelaar", "role": "contact"}, format="json")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=office).exists()


def test_r3_the_office_links_an_account_and_the_link_records_who_did(reviewer):
    employer = EmployerFactory()
    account = _user("nieuw")
    client = APIClient()
    client.force_authenticate(reviewer)
    response = client.post(f"/api/v2/employers/{employer.pk}/members", {"username": "nieuw", "role": "contact"},
                           format="json")
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(user=account, employer=employer)
    assert membership.created_by == reviewer and membership.created_at is not None
