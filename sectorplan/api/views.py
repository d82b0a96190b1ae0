"""Shared API view classes."""

from django.shortcuts import get_object_or_404
from rest_framework.views import APIView


class ObjectAPIView(APIView):
    """A plain ``APIView`` about one object: ``get_queryset()`` is what the caller may see, and ``get_object()``
    is the object of the URL's ``pk`` among them, else 404. ``HasRequiredRoles`` looks it up before it answers
    403, so that another employer's object is a 404 (R2)."""

    lookup_field = "pk"

    def get_queryset(self):
        raise NotImplementedError

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs[self.lookup_field])
