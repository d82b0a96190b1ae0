"""Issue 16, item 5: any malformed request body is a 400 (or 413) problem document, never a 500 or HTML."""

import pytest
from rest_framework.test import APIClient

from sectorplan.api.parsers import MAX_JSON_DEPTH, json_depth
from tests.problems import problem

pytestmark = pytest.mark.django_db

TOKEN = "/api/v2/auth/token"


def _post(client, path, body, content_type="application/json"):
    return client.post(path, data=body, content_type=content_type)


def test_nesting_depth_1000_is_a_400_for_an_anonymous_caller_on_the_token_endpoint():
    response = _post(APIClient(), TOKEN, "[" * 1000 + "]" * 1000)
    assert response.status_code == 400
    assert problem(response)["code"] == "too_deep"


def test_nesting_depth_1000_of_objects_is_a_400_for_a_logged_in_caller(client_for, plain_user):
    response = _post(client_for(plain_user), "/api/v2/applications", '{"a":' * 1000 + "1" + "}" * 1000)
    assert response.status_code == 400
    assert problem(response)["code"] == "too_deep"


def test_brackets_inside_strings_do_not_count_towards_the_depth():
    assert json_depth(b'{"username": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "x": ["\\"["]}') == 2
    assert json_depth(b"[" * (MAX_JSON_DEPTH + 1)) == MAX_JSON_DEPTH + 1


def test_a_body_over_the_limit_is_a_413_problem_not_an_html_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(APIClient(), TOKEN, '{"username": "' + "x" * 2000 + '", "password": "p"}')
    assert response.status_code == 413
    assert problem(response)["code"] == "too_large"


def test_a_body_that_is_not_utf8_is_a_400_naming_the_encoding():
    response = _post(APIClient(), TOKEN, b'{"username": "\xff\xfe", "password": "x"}')
    assert response.status_code == 400
    assert problem(response)["code"] == "invalid_encoding"


def test_nan_and_truncated_json_are_a_400_parse_error():
    for body in ("NaN", '{"username": "a"', '{"username": Infinity}'):
        response = _post(APIClient(), TOKEN, body)
        assert response.status_code == 400, body
        assert problem(response)["code"] == "parse_error"


def test_too_many_form_fields_is_a_400_problem_not_a_500():
    body = "&".join(f"f{i}=1" for i in range(2000))
    response = _post(APIClient(), TOKEN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert problem(response)["code"] == "malformed_body"
