"""The second page, "are you sure?", of every office decision that moves money or cannot be undone (issue 15).

The first form posts to its view as before; without the ``confirmed`` field the view answers with this page
(200, nothing saved): what will happen, with the amounts, and a form posting the same fields again with
``confirmed=yes``. Only then does the view call its service. Plain HTML forms: no JavaScript needed."""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


@dataclass(frozen=True)
class Row:
    """One line of what will happen: a label (e.g. a reference), a description and an amount (or None)."""

    label: str
    detail: str = ""
    amount: Decimal | None = None


def confirmed(request: HttpRequest) -> bool:
    """Whether the post comes from the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirm_page(
    request: HttpRequest, *, title: str, intro: str, rows: list[Row], button: str, cancel_url: str,
    total: Decimal | None = None, total_label: str = "", notes: list[str] | None = None, danger: bool = True,
) -> HttpResponse:
    """Render the confirmation page; the posted fields travel along in hidden inputs (every value of each)."""
    carry = [(name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values]
    return render(request, "office/confirm.html", {
        "title": title, "intro": intro, "rows": rows, "total": total, "total_label": total_label,
        "notes": notes or [], "button": button, "cancel_url": cancel_url, "carry": carry, "danger": danger,
        "confirm_field": CONFIRM_FIELD, "action": request.get_full_path(),
    })
