from django import forms
from django.utils.translation import gettext_lazy as _

from applications.constants import MembershipRole


class InvitationForm(forms.Form):
    """The employer is the one the user acts for; it travels with the form in the hidden ``employer`` field
    (``portal/_acting_employer.html``) and is checked by ``applications.portal.posted_employer`` (R2)."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(choices=MembershipRole.choices, label=_("Role"))


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The passwords differ."))
        return data


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 with a header row: id, started (yes/no), outcome, actual_cost."),
    )
