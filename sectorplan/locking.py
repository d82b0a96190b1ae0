"""Row locks, taken one way for the whole codebase.

**Lock only the rows that change.** ``select_for_update()`` with ``select_related`` locks every joined row
(period, employer, region): two employers adding registrations in the same period would wait on each
other. Every lock here is ``select_for_update(of=("self",))``: only the rows of the queried model.

**One order** (a path that needs several takes them in this order, so two paths never deadlock):

1. period            (``budgets.ledger.lock_period``: every money path of a period; application numbering)
2. allocation, run   (a proposal being confirmed: an allocation or an advance run)
3. application(s)    (ascending primary key when several)
4. decision          (the decision a letter or an objection belongs to)
5. objection, report, registrations (rows of one application)
6. letter            (a letter's own row while it is generated)
7. message           (a letter's message in the box, when its notification is recorded)

A path that changes no money of the period (a draft's registrations, a submission) locks only its
application, not the period, so employers of one period never queue behind each other.
"""

from django.db.models import Model, QuerySet


def locked(qs: QuerySet) -> QuerySet:
    """``qs`` with a row lock on its own model's rows only (never on joined rows)."""
    return qs.select_for_update(of=("self",))


def lock_one(qs: QuerySet, **lookup) -> Model:
    """Lock and return the one row of ``qs`` matching ``lookup`` (DoesNotExist when there is none)."""
    return locked(qs).get(**lookup)


def lock_many(qs: QuerySet) -> list[Model]:
    """Lock the rows of ``qs`` in ascending primary key order (the documented order among equals)."""
    return list(locked(qs).order_by("pk"))
