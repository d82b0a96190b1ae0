"""Locks take only the rows that change (sectorplan/locking.py), shown with two real PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connections, transaction

from applications import services
from tests.applications.conftest import plan_row
from tests.applications.factories import ApplicationFactory, EmployerFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD_SECONDS = 1.5


def test_two_employers_of_one_period_add_plan_lines_without_waiting_on_each_other():
    """Employer A holds its application's lock for 1.5 s; employer B of the same period writes meanwhile.

    Before the fix, locking an application with ``select_related`` also locked its period, employer and
    region rows, and B waited for A (measured 1.2 s behind a 1.5 s first)."""
    period = PeriodFactory(number=4)
    app_a = ApplicationFactory(employer=EmployerFactory(), period=period)
    app_b = ApplicationFactory(employer=EmployerFactory(), period=period)
    user = UserFactory(username="writer")
    a_holds_lock = threading.Event()
    timings: dict[str, float] = {}
    errors: list[BaseException] = []

    def employer_a():
        try:
            with transaction.atomic():
                services.plan_lines_add(application=app_a, rows=[plan_row()], by=user)
                a_holds_lock.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            a_holds_lock.set()
        finally:
            connections.close_all()

    def employer_b():
        try:
            assert a_holds_lock.wait(timeout=30)
            started = time.monotonic()
            services.plan_lines_add(application=app_b, rows=[plan_row(focus="new_intake")], by=user)
            timings["b"] = time.monotonic() - started
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=employer_a), threading.Thread(target=employer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert timings["b"] < HOLD_SECONDS / 2, f"employer B waited {timings['b']:.2f} s behind employer A"
    assert app_a.plan_lines.count() == 1 and app_b.plan_lines.count() == 1
