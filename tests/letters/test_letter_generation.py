"""Letter generation: exactly once, retried, never overwritten, swept when stuck (R26, R28)."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.constants import LetterStatus
from applications.decisions.letters import letter_regenerate, letter_request
from applications.decisions.rendering import letters_reset_stuck
from applications.decisions.tasks import generate_letter, sweep_letters
from applications.models import Letter


def test_task_stores_pdf_in_private_storage_with_its_sha256_R26_R28(make_letter, private_storage, enqueued):
    letter = make_letter("grant")
    assert generate_letter.run(letter.pk) is True
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DONE
    path = private_storage / letter.file.name
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    assert letter.generated_at is not None and letter.attempts == 1
    # the private storage is not below any directory the site serves
    location = str(letter.file.storage.location)
    assert location == str(private_storage)
    from django.conf import settings

    assert not location.startswith(str(settings.STATIC_ROOT)) and not location.startswith(str(settings.MEDIA_ROOT or "/nonexistent"))


def test_running_the_task_twice_makes_one_file_and_one_sha_R28(make_letter, private_storage, enqueued):
    letter = make_letter("grant")
    generate_letter.run(letter.pk)
    letter.refresh_from_db()
    first_sha, first_name = letter.sha256, letter.file.name
    assert generate_letter.run(letter.pk) is False  # done: a no-op
    letter.refresh_from_db()
    assert (letter.sha256, letter.file.name, letter.attempts) == (first_sha, first_name, 1)
    assert len(list(private_storage.rglob("*.pdf"))) == 1


def test_requesting_a_letter_twice_enqueues_once_and_makes_one_letter_R28(
    make_decision, private_storage, enqueued, django_capture_on_commit_callbacks
):
    decision = make_decision("grant")
    with django_capture_on_commit_callbacks(execute=True):
        first = letter_request(decision=decision, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        second = letter_request(decision=decision, by=None)
    assert first.pk == second.pk
    assert enqueued == [first.pk]
    first.refresh_from_db()
    assert first.task_id == "task-1"
    # a duplicate delivery of the same message (acks_late redelivery) is harmless
    generate_letter.run(first.pk)
    generate_letter.run(first.pk)
    assert Letter.objects.filter(decision=decision).count() == 1
    assert len(list(private_storage.rglob("*.pdf"))) == 1


def test_letter_is_enqueued_only_after_the_decision_commits_R26(make_letter, enqueued, django_capture_on_commit_callbacks):
    decision = make_letter("grant").decision
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter_request(decision=decision, by=None, new_version=True)
    assert enqueued == []  # nothing sent inside the transaction
    assert len(callbacks) == 1


def test_broker_down_at_commit_leaves_letter_pending_for_the_sweeper_R28(
    make_letter, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(generate_letter, "apply_async", broker_down)
    decision = make_letter("grant").decision
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_request(decision=decision, by=None, new_version=True)  # does not raise
    letter.refresh_from_db()
    assert letter.status == LetterStatus.PENDING and letter.task_id == ""


def test_broker_down_at_commit_of_a_batch_tries_once_and_leaves_all_pending_R28(
    make_decision, monkeypatch, django_capture_on_commit_callbacks
):
    """A confirmation creates thousands of letters; with the broker down the request must not retry
    each of them in turn: one failed send stops the loop and the sweeper takes over."""
    from applications.decisions.letters import letters_request_many
    from applications.models import Decision

    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionError("broker down")

    monkeypatch.setattr(generate_letter, "apply_async", broker_down)
    decisions = [make_decision("grant", number=number) for number in (201, 202, 203)]
    with django_capture_on_commit_callbacks(execute=True):
        letters = letters_request_many(decisions=Decision.objects.filter(pk__in=[d.pk for d in decisions]), by=None)
    assert len(letters) == 3 and len(attempts) == 1
    assert set(Letter.objects.filter(pk__in=[lt.pk for lt in letters]).values_list("status", flat=True)) == {"pending"}


def test_regenerate_makes_a_new_version_and_keeps_the_old_file_R28(
    done_letter, private_storage, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = letter_regenerate(letter=done_letter, by=None, reason="Adres van de werkgever gecorrigeerd")
    assert new.version == 2 and new.pk != done_letter.pk
    assert enqueued[-1] == new.pk
    generate_letter.run(new.pk)
    new.refresh_from_db()
    done_letter.refresh_from_db()
    assert done_letter.status == LetterStatus.DONE and new.status == LetterStatus.DONE
    assert new.file.name != done_letter.file.name
    assert (private_storage / done_letter.file.name).exists() and (private_storage / new.file.name).exists()
    from applications.decisions.rendering import letter_html

    assert "vervangt" in letter_html(letter=new)


def test_rendering_error_returns_letter_to_pending_and_the_task_retries_R28(
    make_letter, private_storage, enqueued, monkeypatch
):
    import applications.decisions.rendering as service

    def broken(html):
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(service, "html_to_pdf", broken)
    letter = make_letter("grant")
    with pytest.raises(RuntimeError):
        generate_letter.run(letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.PENDING and letter.error == "RuntimeError" and not letter.file
    assert generate_letter.autoretry_for == (Exception,) and generate_letter.max_retries == 5
    assert generate_letter.retry_backoff and generate_letter.acks_late
    assert generate_letter.time_limit and generate_letter.soft_time_limit


def test_after_the_last_retry_the_letter_is_failed_R28(make_letter):
    letter = make_letter("grant")
    generate_letter.on_failure(RuntimeError("x"), "tid", (letter.pk,), {}, None)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FAILED and letter.error == "RuntimeError"


def test_sweeper_reenqueues_stuck_pending_and_generating_letters_only_R28(make_letter, enqueued):
    now = timezone.now()
    fresh = make_letter("grant")
    stale_pending = make_letter("rejection", number=124)
    stale_generating = make_letter("settlement", number=125)
    recent_generating = make_letter("holdback_release", number=126)
    Letter.objects.filter(pk=stale_pending.pk).update(updated_at=now - timedelta(minutes=30))
    Letter.objects.filter(pk=stale_generating.pk).update(status="generating", updated_at=now - timedelta(minutes=30))
    Letter.objects.filter(pk=recent_generating.pk).update(status="generating", updated_at=now - timedelta(seconds=10))
    assert sweep_letters.run() == 2
    assert sorted(enqueued) == sorted([stale_pending.pk, stale_generating.pk])
    swept = enqueued
    assert Letter.objects.get(pk=stale_generating.pk).status == LetterStatus.PENDING
    assert fresh.pk not in swept
    # swept letters count as fresh again: the next sweep does not send them twice
    assert letters_reset_stuck(now=now + timedelta(seconds=15)) == []


def test_r28_a_claim_older_than_the_letter_time_limit_is_a_lost_worker_back_within_a_minute(make_letter, settings):
    """Issue 16 item 8: the claim timestamp, not the last update, tells a lost worker; the grace is the letter
    task's hard limit plus 5 s (30 s), and a pending letter whose message was lost (the queue is empty) is sent
    again after the same grace instead of 10 minutes."""
    now = timezone.now()
    lost = make_letter("grant")
    working = make_letter("rejection", number=124)
    waiting = make_letter("settlement", number=125)
    Letter.objects.filter(pk=lost.pk).update(status="generating", claimed_at=now - timedelta(seconds=31), updated_at=now)
    Letter.objects.filter(pk=working.pk).update(status="generating", claimed_at=now - timedelta(seconds=20))
    Letter.objects.filter(pk=waiting.pk).update(updated_at=now - timedelta(seconds=40))
    assert settings.LETTER_TASK_TIME_LIMIT + 5 + settings.LETTER_SWEEP_SECONDS < 60
    assert letters_reset_stuck(now=now, queue_waiting=3) == [lost.pk]  # others in the queue: the letter waits
    assert sorted(letters_reset_stuck(now=now + timedelta(seconds=1), queue_waiting=0)) == [waiting.pk]


def test_r28_visibility_timeout_matches_the_task_time_limit(settings):
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= (
        settings.CELERY_TASK_TIME_LIMIT + 60)
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_sweeper_leaves_done_letters_alone_R28(done_letter, enqueued):
    Letter.objects.filter(pk=done_letter.pk).update(updated_at=timezone.now() - timedelta(days=1))
    assert letters_reset_stuck() == []


def test_sweeper_is_on_the_beat_schedule_R28(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "applications.tasks.sweep_letters" in entries
