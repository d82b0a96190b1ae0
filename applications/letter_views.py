"""Portal download of letters for members, the members' message box, and the office's page of a period's letters
(R26-R28)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sectorplan.api.errors import DomainError
from sectorplan.roles import Action, role_required

from .api.letters import letter_file_response
from .constants import LetterStatus
from .decisions.letters import letter_regenerate, letters_visible_to, period_letters_overview
from .decisions.messages import message_mark_read, messages_for


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
    try:
        new = letter_regenerate(letter=letter, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.errors[0]["message"])
        return redirect("letters:period", number=letter.decision.application.period.number)
    messages.success(request, _("Version %(version)s of the letter is being generated.") % {"version": new.version})
    return redirect("letters:period", number=letter.decision.application.period.number)


@login_required
def message_list(request):
    """The message box: every letter (every version) of the user's employers, unread ones marked (R26, R28)."""
    box = list(messages_for(request.user).select_related("letter__decision"))
    return render(request, "messages/list.html", {"box": box})


@require_POST
@login_required
def message_open(request, pk: int):
    """Opening a message marks it read for this user and downloads its letter; another employer's is a 404."""
    message = get_object_or_404(messages_for(request.user), pk=pk)
    if message.letter.status != LetterStatus.DONE:
        messages.info(request, _("This letter is still being prepared. You will receive an e-mail when it is ready."))
        return redirect("inbox:list")
    message_mark_read(message=message, user=request.user)
    return letter_file_response(message.letter, user=request.user)
