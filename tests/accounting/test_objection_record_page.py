"""R33 (issue 15 item 1): the office records an objection on a screen, as ``POST /decisions/{id}/objections``
does: in time it is recorded; late, in the future, without grounds or with a bad date it is refused with a Dutch
message naming the field (400) and nothing is saved; another region's application is a 404 (R4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting.models import Objection
from applications import services
from tests.accounting.factories import granted_application
from tests.applications.factories import UserFactory
from tests.budgets.factories import EmployerOrganisationFactory, RegionFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def _granted():
    """A granted application whose grant is dated 2 February 2026 (its objection term ends mid-March 2026)."""
    app = granted_application()
    decision = app.decisions.get()
    assert decision.date + timedelta(days=60) < timezone.localdate()  # the late test needs a term long past
    return app, decision


def test_r33_office_records_an_objection_in_time_on_the_page(client, reviewer):
    app, decision = _granted()
    login_verified(client, reviewer)
    assert 'id="objection-new-link"' in client.get(reverse("portal:office_review", args=[app.pk])).content.decode()
    url = reverse("accounting:objection-new", args=[app.pk])
    page = client.get(url).content.decode()
    assert 'id="objection-new-form"' in page and "bezwaartermijn tot en met" in page
    received = decision.date + timedelta(days=8)
    response = client.post(url, {"decision": decision.pk, "received_on": received.strftime("%d-%m-%Y"),
                                 "grounds": "Het aantal trajecten is te laag vastgesteld."})
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("accounting:objection", args=[objection.pk])
    assert (objection.decision, objection.received_on, objection.recorded_by) == (decision, received, reviewer)
    assert "Ontvangen op" in client.get(url).content.decode() and 'id="objection-list"' in client.get(url).content.decode()


def test_r33_a_late_objection_is_refused_with_the_end_of_the_term_in_dutch_and_nothing_recorded(client, reviewer):
    app, decision = _granted()
    login_verified(client, reviewer)
    received = timezone.localdate() - timedelta(days=1)
    response = client.post(reverse("accounting:objection-new", args=[app.pk]), {
        "decision": decision.pk, "received_on": received.strftime("%d-%m-%Y"), "grounds": "Te laag"})
    page = response.content.decode()
    assert response.status_code == 400 and "De bezwaartermijn is op" in page and "geëindigd" in page
    assert 'id="id_received_on_error"' in page and "Te laag" in page  # the form keeps what was typed
    assert not Objection.objects.exists()


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"decision": "", "received_on": "{ok}", "grounds": "x"}, "decision", "Kies de beschikking"),
    ({"decision": "{d}", "received_on": "31-02-2026", "grounds": "x"}, "received_on", ""),
    ({"decision": "{d}", "received_on": "", "grounds": "x"}, "received_on", "Vul de datum in"),
    ({"decision": "{d}", "received_on": "{future}", "grounds": "x"}, "received_on", "toekomst"),
    ({"decision": "{d}", "received_on": "{ok}", "grounds": "  "}, "grounds", "Geef de gronden"),
    ({"decision": "{d}", "received_on": "{ok}", "grounds": "a\x00b"}, "grounds", ""),
])
def test_r33_bad_input_names_the_field_with_400_and_saves_nothing(client, reviewer, form, field, message):
    app, decision = _granted()
    login_verified(client, reviewer)
    today = timezone.localdate()
    values = {"d": str(decision.pk), "ok": (decision.date + timedelta(days=1)).strftime("%d-%m-%Y"),
              "future": (today + timedelta(days=3)).strftime("%d-%m-%Y")}
    data = {k: v.format(**values) if "{" in v else v for k, v in form.items()}
    response = client.post(reverse("accounting:objection-new", args=[app.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and f'id="id_{field}_error"' in page and message in page
    assert not Objection.objects.exists()


def test_r33_r4_another_regions_application_is_not_found(client, staff_user):
    app, decision = _granted()
    elsewhere = EmployerOrganisationFactory(code="elders", name="Elders")
    RegionFactory(code="elders", employer_organisation=elsewhere)
    scoped = UserFactory(username="scoped", roles=["office_reviewer"])
    services.office_scope_set(user=scoped, codes=["elders"], by=staff_user)
    login_verified(client, scoped)
    url = reverse("accounting:objection-new", args=[app.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"decision": decision.pk, "received_on": timezone.localdate().strftime("%d-%m-%Y"),
                                 "grounds": "x"})
    assert response.status_code == 404 and not Objection.objects.exists()
