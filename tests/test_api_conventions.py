"""API v2 on the NLGov REST API Design Rules (shared/api.md v2, "Conventions"): no trailing slash, the API-Version
header on every response, lowerCamelCase query keys and properties, problem details (RFC 9457) for every error,
and the public OpenAPI document."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from budgets.api.views import RegionViewSet
from sectorplan.api.errors import camel_field
from tests.applications.factories import MembershipFactory, RegionFactory
from tests.problems import PROBLEM_CONTENT_TYPE, problem, problems

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


# --- paths -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v2/regions/", "/api/v2/periods/1/", "/api/v2/applications/1/submit/"])
def test_a_trailing_slash_is_a_404_problem_never_a_redirect(client_for, staff_user, path):
    client = client_for(staff_user)
    for response in (client.get(path), client.post(path, {"x": 1}, format="json")):
        assert response.status_code == 404
        body = problem(response)
        assert body["code"] == "not_found" and body["instance"] == path
        assert "Location" not in response


def test_a_post_with_a_trailing_slash_is_a_404_problem_also_with_csrf_checks():
    """A real client (CSRF checks on, no session cookie) gets the 404 problem, not the CSRF middleware's page."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    response = client.post("/api/v2/applications/1/submit/", {}, format="json")
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"


def test_unknown_paths_and_the_bare_base_are_404_problems_also_for_anonymous_callers():
    for path in ("/api/v2/nothing-here", "/api/v2", "/api/v2/regions/x/y/z"):
        response = APIClient().get(path)
        assert response.status_code == 404, path
        assert problem(response)["code"] == "not_found"


def test_version_1_is_gone():
    assert APIClient().get("/api/v1/regions/").status_code == 404


# --- API-Version -----------------------------------------------------------------------------------------------


def test_api_version_header_on_success_and_on_every_kind_of_error(client_for, plain_user, staff_user):
    assert settings.API_VERSION == "2.0.0"
    client = client_for(plain_user)
    responses = [
        client.get("/api/v2/regions"),  # 200
        APIClient().get("/api/v2/regions"),  # 401
        client.post("/api/v2/periods", {}, format="json"),  # 403
        client.get("/api/v2/applications/999999"),  # 404 from a view
        client.get("/api/v2/nothing"),  # 404 from the catch-all
        client.delete("/api/v2/regions"),  # 405
        client_for(staff_user).post("/api/v2/employers", {}, format="json"),  # 400
        APIClient().get("/api/v2/openapi.json"),  # the document itself
    ]
    assert [r.status_code for r in responses] == [200, 401, 403, 404, 404, 405, 400, 200]
    for response in responses:
        assert response["API-Version"] == settings.API_VERSION, response.status_code


def test_the_portal_has_no_api_version_header(client):
    assert "API-Version" not in client.get("/healthz")


# --- lowerCamelCase --------------------------------------------------------------------------------------------


def test_page_size_query_key_is_camel_case(client_for, plain_user):
    for i in range(3):
        RegionFactory(code=f"r{i}", name=f"R{i}")
    body = client_for(plain_user).get("/api/v2/regions?pageSize=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert "pageSize=2" in body["next"]
    assert set(body["results"][0]) == {"code", "name", "employerOrganisation"}


@pytest.mark.parametrize(
    "path,expected",
    [
        ("kvk_number", "kvkNumber"),
        ("registrations[1].actual_cost", "registrations[1].actualCost"),
        ("budget_lines[0].ceiling", "budgetLines[0].ceiling"),
        ("[3].date_of_birth", "[3].dateOfBirth"),
        ("non_field_errors", "nonFieldErrors"),
        ("", "nonFieldErrors"),
    ],
)
def test_field_paths_are_named_in_camel_case(path, expected):
    assert camel_field(path) == expected


# --- problem details -------------------------------------------------------------------------------------------


def test_invalid_input_lists_every_problem_in_invalid_params(client_for, staff_user):
    region = RegionFactory()
    payload = {"name": "", "kvkNumber": "123", "region": region.code, "earmark": "nonsense", "iban": "NL00",
               "contactEmail": "not an address"}
    response = client_for(staff_user).post("/api/v2/employers", payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = problem(response)
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    names = {p["name"] for p in body["invalidParams"]}
    assert {"name", "kvkNumber", "earmark", "contactEmail"} <= names, body
    assert all(set(p) == {"name", "code", "reason"} and p["reason"] for p in body["invalidParams"])


def test_a_state_conflict_is_a_409_problem_with_its_code_at_the_top(client_for, staff_user):
    membership = MembershipFactory()
    response = client_for(staff_user).post(
        f"/api/v2/employers/{membership.employer.pk}/members", {"username": membership.user.username, "role": "contact"},
        format="json",
    )
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] not in ("", "invalid", "error") and body["detail"]
    assert body["type"].endswith("#section-15.5.10")


def test_a_duplicate_kvk_number_is_named_in_camel_case(client_for, staff_user):
    region = RegionFactory()
    payload = {"name": "Zorg", "kvkNumber": "12345678", "region": region.code, "earmark": "nursing_home",
               "iban": "NL91 ABNA 0417 1643 00", "accountHolder": "Stichting Zorg", "contactEmail": "a@example.org"}
    assert client_for(staff_user).post("/api/v2/employers", payload, format="json").status_code == 201
    again = client_for(staff_user).post("/api/v2/employers", payload, format="json")
    assert again.status_code == 400  # a duplicate KvK number is invalid input on that field (R1)
    assert ("kvkNumber", "unique") in {(p["field"], p["code"]) for p in problems(again)}


def test_unauthenticated_is_a_401_problem_with_www_authenticate():
    response = APIClient().get("/api/v2/applications")
    assert response.status_code == 401
    assert problem(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_malformed_json_and_unsupported_media_type_are_problems_not_500(client_for, plain_user):
    client = client_for(plain_user)
    bad_json = client.generic("POST", "/api/v2/invitations/accept", "{not json", content_type="application/json")
    assert bad_json.status_code == 400 and problem(bad_json)["code"] == "parse_error"
    xml = client.generic("POST", "/api/v2/invitations/accept", "<token/>", content_type="application/xml")
    assert xml.status_code == 415 and problem(xml)["code"] == "unsupported_media_type"


def test_an_unexpected_error_is_a_500_problem_not_an_html_page(client_for, plain_user, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(RegionViewSet, "list", broken)
    response = client_for(plain_user).get("/api/v2/regions")
    assert response.status_code == 500
    body = problem(response)
    assert body["code"] == "server_error" and "a bug" not in body["detail"]
    assert response["API-Version"] == settings.API_VERSION


def test_method_not_allowed_is_a_problem(client_for, plain_user):
    response = client_for(plain_user).put("/api/v2/regions", {}, format="json")
    assert response.status_code == 405
    assert problem(response)["code"] == "method_not_allowed"


# --- the OpenAPI document --------------------------------------------------------------------------------------


def test_openapi_json_is_served_anonymously_with_cors_open():
    response = APIClient().get("/api/v2/openapi.json", HTTP_ORIGIN="https://dashboard.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json") or response[
        "Content-Type"
    ].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    assert document["servers"] == [{"url": "/api/v2", "description": "This installation"}]
    assert set(document["info"]["contact"]) == {"name", "email", "url"}
    assert document["info"]["version"] == settings.API_VERSION == response["API-Version"]


def test_committed_document_declares_version_header_and_problem_details_everywhere():
    document = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    assert not [path for path in document["paths"] if path.endswith("/")]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "23":
                    assert "API-Version" in response.get("headers", {}), (path, method, status)
                else:
                    assert list(response["content"]) == [PROBLEM_CONTENT_TYPE], (path, method, status)
            if method in ("post", "put", "patch"):
                assert "400" in operation["responses"], (path, method)
