"""The message box (R26): every letter in its employer's members' box, read per user, a notification e-mail with
no personal data (R40), the delivery date (Awb 3:41), and every version of a corrected letter visible (R28)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from applications import mail as member_mail
from applications.constants import LetterStatus
from applications.decisions.letters import letter_regenerate, letter_request, letters_request_many
from applications.decisions.messages import messages_notify_pending
from applications.decisions.tasks import generate_letter
from applications.models import Letter, Message, Registration
from sectorplan.api.errors import DomainError
from tests.applications.factories import MembershipFactory
from tests.support.otp import login_verified

BOX = "/api/v2/messages"
MIGRATION = import_module("applications.migrations.0010_messages_letter_versions")


@pytest.fixture
def requested(make_decision, enqueued, private_storage, django_capture_on_commit_callbacks):
    """A grant's letter asked for through the one service (letters.py), not yet generated."""
    with django_capture_on_commit_callbacks(execute=True):
        return letter_request(decision=make_decision("grant"))


def _generate(letter, capture):
    with capture(execute=True):
        stored = generate_letter.run(letter.pk)
    letter.refresh_from_db()
    return stored


def test_a_requested_letter_is_in_the_members_box_as_pending_R26(requested, member, client_for):
    response = client_for(member).get(BOX)
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["letter"] == {"id": requested.pk, "status": "pending", "version": 1, "reason": ""}
    assert item["employer"] == requested.decision.application.employer_id
    assert "SPP-T3-000123" in item["subject"] and item["subject"].startswith("Verlening subsidie")
    assert item["readAt"] is None and item["deliveredAt"] is None and item["createdAt"]


def test_a_generated_letter_is_delivered_and_the_members_are_mailed_without_personal_data_R26_R40(
    requested, member, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(employer=requested.decision.application.employer).user
    assert _generate(requested, django_capture_on_commit_callbacks) is True
    message = Message.objects.get(letter=requested)
    assert requested.status == LetterStatus.DONE
    assert message.delivered_at == requested.generated_at  # Awb 3:41: available in the box from then
    assert message.notified_at is not None and message.notified_at >= message.delivered_at
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, colleague.email])  # one mail each
    for mail in mailoutbox:
        assert len(mail.to) == 1  # members do not see each other's addresses
        assert "SPP-T3-000123" in mail.subject + mail.body
        assert "/berichten/" in mail.body
        for person in Registration.objects.filter(application=requested.decision.application):
            assert person.surname not in mail.body  # R40
        assert "mevrouw A. de Vries" not in mail.body and "41234567" not in mail.body


def test_a_failing_mail_does_not_fail_the_letter_and_is_not_recorded_R26(
    requested, member, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(member_mail, "send_mass_mail", broken)
    assert _generate(requested, django_capture_on_commit_callbacks) is True
    message = Message.objects.get(letter=requested)
    assert requested.status == LetterStatus.DONE and message.delivered_at is not None
    assert message.notified_at is None
    # the sweeper mails it again once the mail server is back, and only then records it
    monkeypatch.undo()
    later = message.delivered_at + timedelta(minutes=10)
    assert messages_notify_pending(now=later) == 1
    message.refresh_from_db()
    assert message.notified_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [member.email]
    assert messages_notify_pending(now=later) == 0  # never twice


def test_read_is_per_user_and_another_employers_message_is_404_R26(requested, member, client_for):
    colleague = MembershipFactory(employer=requested.decision.application.employer).user
    message = Message.objects.get(letter=requested)
    response = client_for(member).post(f"{BOX}/{message.pk}/read")
    assert response.status_code == 200 and response.json()["readAt"]
    first = response.json()["readAt"]
    assert client_for(member).post(f"{BOX}/{message.pk}/read").json()["readAt"] == first  # idempotent
    assert client_for(colleague).get(BOX).json()["results"][0]["readAt"] is None  # per user
    stranger = MembershipFactory().user  # member of another employer
    assert client_for(stranger).post(f"{BOX}/{message.pk}/read").status_code == 404
    assert client_for(stranger).get(BOX).json()["results"] == []


def test_the_portal_box_counts_unread_and_opening_marks_read_and_downloads_R26(
    requested, member, client, django_capture_on_commit_callbacks
):
    _generate(requested, django_capture_on_commit_callbacks)
    message = Message.objects.get(letter=requested)
    login_verified(client, member)
    page = client.get(reverse("inbox:list"))
    html = page.content.decode()
    assert page.status_code == 200 and message.subject in html
    assert 'class="badge" aria-label="1 ongelezen bericht"' in html  # Dutch portal
    response = client.post(reverse("inbox:open", args=[message.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert message.reads.get().user == member
    html = client.get(reverse("inbox:list")).content.decode()
    assert "ongelezen bericht" not in html and "ongelezen<" not in html
    login_verified(client, MembershipFactory().user)
    assert client.post(reverse("inbox:open", args=[message.pk])).status_code == 404


def test_a_correction_needs_a_reason_and_every_version_stays_visible_R28(
    requested, member, client, client_for, enqueued, django_capture_on_commit_callbacks
):
    _generate(requested, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        letter_regenerate(letter=requested, by=None, reason=" ")
    assert Letter.objects.filter(decision=requested.decision).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        second = letter_regenerate(letter=requested, by=None, reason="Adres van de werkgever gecorrigeerd")
    assert (second.version, second.reason) == (2, "Adres van de werkgever gecorrigeerd")
    _generate(second, django_capture_on_commit_callbacks)
    box = client_for(member).get(BOX).json()["results"]
    assert [(m["letter"]["version"], m["letter"]["reason"]) for m in box] == [
        (2, "Adres van de werkgever gecorrigeerd"), (1, ""),
    ]
    assert "versie 2" in box[0]["subject"]
    login_verified(client, member)
    html = client.get(reverse("portal:application_detail", args=[requested.decision.application_id])).content.decode()
    assert reverse("letters:download", args=[requested.pk]) in html  # version 1 stays
    assert reverse("letters:download", args=[second.pk]) in html
    assert "Adres van de werkgever gecorrigeerd" in html


def test_letters_made_before_the_box_get_their_message_in_the_migration_R26(done_letter):
    """Migration 0010 puts every existing letter in its employer's box, delivered when it was generated."""
    assert not Message.objects.filter(letter=done_letter).exists()  # the factory bypasses letters.py
    MIGRATION.existing_letters_into_the_box(django_apps, None)
    message = Message.objects.get(letter=done_letter)
    assert message.employer_id == done_letter.decision.application.employer_id
    assert message.delivered_at == done_letter.generated_at and message.notified_at == done_letter.generated_at
    assert message.created_at == done_letter.created_at
    assert "SPP-T3-000123" in message.subject


def test_letters_requested_in_bulk_each_get_their_message_R26(make_decision, enqueued, django_assert_max_num_queries):
    """An allocation's letters (``letters_request_many``) each land in their employer's box, in a few queries."""
    decisions = [make_decision("grant"), make_decision("rejection", number=124)]
    with django_assert_max_num_queries(6):
        letters = letters_request_many(decisions=decisions)
    subjects = dict(Message.objects.filter(letter__in=letters).values_list("letter__decision__kind", "subject"))
    assert subjects["grant"].startswith("Verlening") and "SPP-T3-000123" in subjects["grant"]
    assert subjects["rejection"].startswith("Afwijzing") and "SPP-T3-000124" in subjects["rejection"]
