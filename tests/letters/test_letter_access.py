"""Who may read a letter (R28): the employer's members and the office; anyone else 404."""

import pytest
from django.urls import reverse

from applications.constants import LetterStatus
from applications.decisions.tasks import generate_letter
from applications.models import ProcessingLogEntry
from tests.applications.factories import MembershipFactory
from tests.problems import problems
from tests.support.otp import login_verified


def _api(letter):
    return f"/api/v2/letters/{letter.pk}/pdf"


def test_member_downloads_pdf_through_api_R28(done_letter, member, client_for):
    response = client_for(member).get(_api(done_letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-SHA256"] == done_letter.sha256


def test_member_of_another_employer_gets_404_R2_R28(done_letter, client_for):
    stranger = MembershipFactory().user
    assert client_for(stranger).get(_api(done_letter)).status_code == 404


def test_office_downloads_any_letter_R28(done_letter, reviewer, decider, client_for):
    assert client_for(reviewer).get(_api(done_letter)).status_code == 200
    assert client_for(decider).get(_api(done_letter)).status_code == 200


def test_anonymous_gets_401_R28(done_letter, client_for):
    assert client_for(None).get(_api(done_letter)).status_code == 401


@pytest.mark.parametrize("who", ["ministry_user", "commission_user", "plain_user"])
def test_ministry_commission_and_strangers_cannot_read_letters_R28_R40(done_letter, client_for, request, who):
    user = request.getfixturevalue(who)
    # api.md: "404 for anyone else" — the letter's existence is not revealed, not even to the ministry.
    assert client_for(user).get(_api(done_letter)).status_code == 404


def test_unknown_letter_is_404(client_for, reviewer, db):
    assert client_for(reviewer).get("/api/v2/letters/999999/pdf").status_code == 404


def test_pending_letter_is_409_not_a_broken_pdf_R28(make_letter, member, client_for):
    letter = make_letter("grant")
    response = client_for(member).get(_api(letter))
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "letter_not_ready"


def test_portal_download_for_member_and_404_for_others_R28(done_letter, member, client):
    url = reverse("letters:download", args=[done_letter.pk])
    login_verified(client, member)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    login_verified(client, MembershipFactory().user)
    assert client.get(url).status_code == 404


def test_office_page_lists_period_letters_with_progress_R28(done_letter, make_letter, decider, client):
    make_letter("rejection", number=124)
    login_verified(client, decider)
    response = client.get(reverse("letters:period", args=[3]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SPP-T3-000123" in html and "SPP-T3-000124" in html
    assert response.context["done"] == 1 and response.context["total"] == 2
    assert 'value="1"' in html and 'max="2"' in html


def test_office_regenerates_a_letter_as_new_version_R28(
    done_letter, decider, client, enqueued, django_capture_on_commit_callbacks
):
    login_verified(client, decider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:regenerate", args=[done_letter.pk]), {"reason": "KvK-nummer gecorrigeerd"})
    assert response.status_code == 302
    versions = list(done_letter.decision.letters.values_list("version", "status", "reason"))
    assert versions == [(1, LetterStatus.DONE, ""), (2, LetterStatus.PENDING, "KvK-nummer gecorrigeerd")]
    # the office page now shows the latest version only
    page = client.get(reverse("letters:period", args=[3]))
    assert page.context["total"] == 1 and page.context["done"] == 0


def test_a_correction_without_a_reason_is_refused_and_makes_no_version_R28(done_letter, decider, client, enqueued):
    login_verified(client, decider)
    response = client.post(reverse("letters:regenerate", args=[done_letter.pk]), {"reason": "  "}, follow=True)
    assert response.status_code == 200
    assert done_letter.decision.letters.count() == 1
    assert any("reason" in str(m).lower() or "reden" in str(m).lower() for m in response.context["messages"])


def test_members_get_403_on_the_office_letter_page_and_regenerate_R4_R28(done_letter, member, client):
    """Office pages answer one way to a role that may not open them: 403 (was 404 here, 403 in budgets)."""
    login_verified(client, member)
    assert client.get(reverse("letters:period", args=[3])).status_code == 403
    assert client.post(reverse("letters:regenerate", args=[done_letter.pk])).status_code == 403
    assert done_letter.decision.letters.count() == 1


def test_an_office_download_of_a_letter_is_in_the_processing_log_and_a_members_is_not_R54(
    done_letter, member, reviewer, client, client_for
):
    application = done_letter.decision.application
    assert client_for(member).get(_api(done_letter)).status_code == 200
    assert not ProcessingLogEntry.objects.exists()
    assert client_for(reviewer).get(_api(done_letter)).status_code == 200
    login_verified(client, reviewer)
    assert client.get(reverse("letters:download", args=[done_letter.pk])).status_code == 200
    entries = list(ProcessingLogEntry.objects.order_by("id"))
    assert len(entries) == 2  # the API and the portal
    for entry in entries:
        assert entry.user == reviewer and entry.action == "read" and entry.purpose == "review"
        assert entry.object_type == "applications.letter" and entry.object_ids == [done_letter.pk]
        assert entry.employer_id == application.employer_id and entry.application_id == application.pk


def test_r28_the_letters_page_counts_each_state_and_refreshes_itself_while_letters_are_pending(
    done_letter, make_letter, decider, client
):
    # Issue 15 item 3: progress without JavaScript, a meta refresh while any letter is pending or generating.
    pending = make_letter("rejection", number=124)
    login_verified(client, decider)
    response = client.get(reverse("letters:period", args=[3]))
    html = response.content.decode()
    assert (response.context["pending"], response.context["generating"], response.context["done"]) == (1, 0, 1)
    assert 'data-refresh-seconds="5"' in html and 'id="letters-pending">1<' in html
    generate_letter.run(pending.pk)
    html = client.get(reverse("letters:period", args=[3])).content.decode()
    assert "data-refresh-seconds" not in html and 'id="letters-done">2<' in html
