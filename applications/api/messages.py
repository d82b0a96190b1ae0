"""``GET /api/v2/messages`` and ``POST /api/v2/messages/{id}/read``: the acting user's message box (R26, R28).

The box holds the messages of every employer the user is a member of; any other message is a 404. Read and
unread are per user. Every version of a letter is its own message, with the reason of the correction.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sectorplan.api.permissions import BASE_PERMISSIONS

from ..decisions.messages import message_mark_read, messages_for


class MessageLetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, generating, done or failed")
    version = serializers.IntegerField()
    reason = serializers.CharField(help_text="Why this version was made (empty for version 1).")


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employer = serializers.IntegerField(source="employer_id")
    subject = serializers.CharField()
    letter = MessageLetterSerializer()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(
        allow_null=True, help_text="When the letter became available in the box (Awb 3:41); null while pending."
    )
    read_at = serializers.DateTimeField(allow_null=True, help_text="When the acting user first opened it.")


class MessageListView(generics.ListAPIView):
    permission_classes = [*BASE_PERMISSIONS]
    serializer_class = MessageSerializer

    def get_queryset(self):
        return messages_for(self.request.user)

    @extend_schema(summary="The acting user's message box: a message per letter of each of the user's employers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MessageReadView(APIView):
    permission_classes = [*BASE_PERMISSIONS]

    @extend_schema(
        summary="Mark a message read for the acting user (idempotent)",
        request=None,
        responses={200: MessageSerializer, 404: OpenApiResponse(description="No such message, or not yours.")},
    )
    def post(self, request, pk: int):
        message = get_object_or_404(messages_for(request.user), pk=pk)
        message_mark_read(message=message, user=request.user)
        return Response(MessageSerializer(messages_for(request.user).get(pk=message.pk)).data)
