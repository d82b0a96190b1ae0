"""Reading problem details (RFC 9457) in tests: the API's error answers, shared/api.md v2 "Conventions"."""

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def problem(response) -> dict:
    """The problem document of an error response; checks its media type and members."""
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE), (response.status_code, response["Content-Type"])
    body = response.json()
    assert PROBLEM_KEYS <= set(body), body
    assert body["status"] == response.status_code, body
    return body


def problems(response) -> list[dict]:
    """Every problem of an error response as ``{"field", "code", "message"}`` (and ``"line"``): the items of
    ``invalidParams`` (``name`` -> field, ``reason`` -> message), or else the document's own ``code`` and
    ``detail`` with field ``nonFieldErrors``."""
    body = problem(response)
    if body.get("invalidParams"):
        out = []
        for p in body["invalidParams"]:
            assert {"name", "code", "reason"} <= set(p), p
            item = {"field": p["name"], "code": p["code"], "message": p["reason"]}
            if "line" in p:
                item["line"] = p["line"]
            out.append(item)
        return out
    return [{"field": "nonFieldErrors", "code": body["code"], "message": body["detail"]}]
