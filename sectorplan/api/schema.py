"""The OpenAPI schema view, safe under concurrent first requests.

drf-spectacular loads its extension classes lazily and not thread-safely: two simultaneous first
requests to ``/api/schema/`` in a threaded server made one of them fail with a 500
(``AttributeError: 'NoneType' object has no attribute 'startswith'`` in ``_load_class``).
Generating the schema one request at a time avoids that; it is a rare, cheap request.
"""

import threading

from drf_spectacular.views import SpectacularAPIView

_schema_lock = threading.Lock()


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        with _schema_lock:
            return super()._get_schema_response(request)
