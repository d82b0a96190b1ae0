"""Portal download of letters for members, and the office's page of a period's letters (R26-R28)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sectorplan.roles import Action, role_required

from .api.letters import letter_file_response
from .constants import LetterStatus
from .decisions.letters import letter_regenerate, letters_visible_to, period_letters_overview


@login_required
def letter_download(request, pk: int):
    """A member of the letter's employer or the office downloads the PDF; anyone else gets 404."""
    letter = letters_visible_to(request.user).filter(pk=pk, status=LetterStatus.DONE).first()
    if letter is None:
        raise Http404
    return letter_file_response(letter, user=request.user)


@role_required(Action.MANAGE_LETTERS)
def period_letters(request, number: int):
    overview = period_letters_overview(period_number=number, user=request.user)
    return render(request, "letters_office/period_letters.html", {"period_number": number, **overview})


@require_POST
@role_required(Action.MANAGE_LETTERS)
def regenerate(request, pk: int):
    letter = get_object_or_404(letters_visible_to(request.user), pk=pk)  # R4: another region's letter is a 404
    new = letter_regenerate(letter=letter, by=request.user)
    messages.success(request, _("Version %(version)s of the letter is being generated.") % {"version": new.version})
    return redirect("letters:period", number=letter.decision.application.period.number)
