"""Employers and memberships API (R1, R2)."""

import pytest

from applications.constants import MembershipRole
from applications.models import Employer, Membership
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import RegionFactory
from tests.problems import problems

pytestmark = pytest.mark.django_db

URL = "/api/v2/employers"
VALID_IBAN = "NL91ABNA0417164300"


def payload(region_obj, **overrides):
    data = {
        "name": "Zorggroep Noord",
        "kvkNumber": "12345678",
        "region": region_obj.code,
        "earmark": "nursing_home",
        "iban": "NL91 ABNA 0417 1643 00",
        "accountHolder": "Stichting Zorggroep Noord",
        "contactEmail": "info@zorggroep.example",
    }
    data.update(overrides)
    return data


def codes(response):
    return {(e["field"], e["code"]) for e in problems(response)}


@pytest.fixture
def region(db):
    return RegionFactory()


def test_office_creates_employer_with_normalised_iban_R1(client_for, reviewer, region):
    response = client_for(reviewer).post(URL, payload(region), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] and body["iban"] == VALID_IBAN and body["kvkNumber"] == "12345678"
    assert body["accountHolder"] == "Stichting Zorggroep Noord"
    assert Employer.objects.get().account_holder == "Stichting Zorggroep Noord"


def test_staff_creates_employer_R1(client_for, staff_user, region):
    assert client_for(staff_user).post(URL, payload(region), format="json").status_code == 201


@pytest.mark.parametrize("holder", [None, "", "x" * 201])
def test_account_holder_is_required_with_the_iban_R1(client_for, reviewer, region, holder):
    data = payload(region, accountHolder=holder)
    if holder is None:
        del data["accountHolder"]
    response = client_for(reviewer).post(URL, data, format="json")
    assert response.status_code == 400
    assert "accountHolder" in {f for f, _ in codes(response)}
    assert not Employer.objects.exists()


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", ""])
def test_kvk_must_have_8_digits_R1(client_for, reviewer, region, kvk):
    response = client_for(reviewer).post(URL, payload(region, kvkNumber=kvk), format="json")
    assert response.status_code == 400
    assert "kvkNumber" in {f for f, _ in codes(response)}
    assert not Employer.objects.exists()


def test_kvk_number_is_unique_R1(client_for, reviewer, region):
    EmployerFactory(kvk_number="12345678")
    response = client_for(reviewer).post(URL, payload(region), format="json")
    assert response.status_code == 400
    assert ("kvkNumber", "unique") in codes(response)


@pytest.mark.parametrize("iban", ["NL92ABNA0417164300", "NL91ABNA041716430", "XX", "NL91 ABNA 0417 1643 01"])
def test_iban_fails_mod_97_check_R1(client_for, reviewer, region, iban):
    response = client_for(reviewer).post(URL, payload(region, iban=iban), format="json")
    assert response.status_code == 400
    assert "iban" in {f for f, _ in codes(response)}


def test_unknown_region_and_earmark_name_their_fields_R1(client_for, reviewer, region):
    response = client_for(reviewer).post(URL, payload(region, region="atlantis", earmark="x"), format="json")
    assert {"region", "earmark"} <= {f for f, _ in codes(response)}


def test_nul_character_in_region_is_400_naming_the_field_R1_R38(client_for, reviewer, region):
    response = client_for(reviewer).post(URL, payload(region, region="a\x00b"), format="json")
    assert response.status_code == 400
    assert ("region", "invalid") in codes(response)
    assert not Employer.objects.exists()


@pytest.mark.parametrize("who", ["plain_user", "ministry_user", "commission_user"])
def test_non_office_cannot_create_employer_R1(client_for, region, who, request):
    assert client_for(request.getfixturevalue(who)).post(URL, payload(region), format="json").status_code == 403


def test_contact_cannot_create_employer_R1(client_for, contact, region):
    assert client_for(contact).post(URL, payload(region), format="json").status_code == 403


def test_anonymous_gets_401(api_client, employer):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(f"{URL}/{employer.pk}/members", {}, format="json").status_code == 401


def test_members_see_only_their_employers_office_all_R2(client_for, contact, employer, reviewer):
    EmployerFactory()
    assert [e["id"] for e in client_for(contact).get(URL).json()["results"]] == [employer.pk]
    assert client_for(reviewer).get(URL).json()["count"] == 2


def test_user_linked_to_two_employers_sees_both_R2(client_for, employer):
    user = UserFactory(username="both")
    other = EmployerFactory()
    MembershipFactory(user=user, employer=employer)
    MembershipFactory(user=user, employer=other, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    assert {e["id"] for e in client_for(user).get(URL).json()["results"]} == {employer.pk, other.pk}


def test_other_employer_is_404_R2(client_for, contact):
    other = EmployerFactory()
    assert client_for(contact).get(f"{URL}/{other.pk}").status_code == 404
    response = client_for(contact).post(f"{URL}/{other.pk}/members", {"username": "contact", "role": "contact"},
                                        format="json")
    assert response.status_code == 404


def test_contact_invites_instead_of_linking_an_account_directly_R3(client_for, contact, employer):
    """Issue 16, item 6: an account joins an employer only by accepting an invitation; the direct link is the
    office's."""
    UserFactory(username="newbie")
    response = client_for(contact).post(f"{URL}/{employer.pk}/members",
                                        {"username": "newbie", "role": "accountability_officer"}, format="json")
    assert response.status_code == 403, response.json()
    assert not Membership.objects.filter(user__username="newbie").exists()


def test_office_adds_member_R2(client_for, reviewer, employer):
    UserFactory(username="newbie")
    response = client_for(reviewer).post(f"{URL}/{employer.pk}/members", {"username": "newbie", "role": "contact"},
                                         format="json")
    assert response.status_code == 201


def test_accountability_officer_cannot_add_members_R2(client_for, officer, employer):
    UserFactory(username="newbie")
    response = client_for(officer).post(f"{URL}/{employer.pk}/members", {"username": "newbie", "role": "contact"},
                                        format="json")
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newbie").exists()


def test_unknown_username_is_400_on_username_R2(client_for, reviewer, employer):
    response = client_for(reviewer).post(f"{URL}/{employer.pk}/members", {"username": "ghost", "role": "contact"},
                                        format="json")
    assert response.status_code == 400
    assert codes(response) == {("username", "not_found")}


def test_bad_role_is_400_on_role_R2(client_for, reviewer, employer):
    UserFactory(username="newbie")
    response = client_for(reviewer).post(f"{URL}/{employer.pk}/members", {"username": "newbie", "role": "boss"},
                                        format="json")
    assert "role" in {f for f, _ in codes(response)}


def test_adding_an_existing_member_again_is_409_R2(client_for, reviewer, officer, employer):
    response = client_for(reviewer).post(f"{URL}/{employer.pk}/members", {"username": "officer", "role": "contact"},
                                        format="json")
    assert response.status_code == 409
