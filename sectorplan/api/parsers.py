"""The API's JSON parser: any malformed body is a 400 problem, never a 500 (issue 16, item 5).

djangorestframework-camel-case's parser hands the body to ``json.loads`` and converts the keys recursively: a body
nested 1,000 levels deep exhausts Python's recursion limit (a ``RecursionError``, so a 500) before any view or
permission runs, anonymous callers included. This parser refuses, before decoding anything:

- a body that is not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8) → 400 ``invalid_encoding``;
- nesting deeper than :data:`MAX_JSON_DEPTH` (no request of the API nests more than a few levels) → 400
  ``too_deep``, counted by a linear scan of the brackets outside strings, without recursion;
- ``NaN``/``Infinity`` (not JSON) and any other syntax error → 400 ``parse_error``.

The body's size is bounded before it reaches a parser: DRF refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
with ``RequestDataTooBig``, rendered as a 413 problem by :mod:`sectorplan.api.errors`.
"""

import json
import re

from django.utils.translation import gettext_lazy as _
from djangorestframework_camel_case.parser import CamelCaseJSONParser
from djangorestframework_camel_case.util import underscoreize
from rest_framework.exceptions import ParseError

#: The deepest nesting of objects and arrays a request body may have.
MAX_JSON_DEPTH = 32

# A JSON string (with its escapes): its brackets do not count towards the depth.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``raw`` outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONBodyParser(CamelCaseJSONParser):
    """``application/json`` with camelCase keys, refusing bodies that are malformed in any way with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(_("The request body is not valid UTF-8."), code="invalid_encoding") from exc
        if json_depth(raw) > MAX_JSON_DEPTH:
            raise ParseError(
                _("The request body is nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH},
                code="too_deep",
            )
        try:
            data = json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
        return underscoreize(data, **self.json_underscoreize)
