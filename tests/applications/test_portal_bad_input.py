"""R38: bad input on portal pages is an error tied to its field, never a 500."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.constants import ApplicationStatus
from tests.applications.factories import ApplicationFactory, PlanLineFactory
from tests.applications.test_portal import client_as, open_period  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_review_reason_with_a_nul_character_is_a_field_error_not_a_500_R15_R38(
    client_as, reviewer, open_period  # noqa: F811
):
    application = ApplicationFactory(period=open_period, submitted=True)
    line = PlanLineFactory(application=application, count=2, amount_per_trajectory=Decimal("5000.00"))
    url = reverse("portal:office_review", args=[application.pk])
    response = client_as(reviewer).post(url, {f"eligible_{line.pk}": "0", f"reason_{line.pk}": "Te\x00laat"})
    assert response.status_code == 400
    assert f'href="#reason_{line.pk}"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
