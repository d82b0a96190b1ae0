"""The portal's login page: username, password and, for office, Commission and staff accounts, the TOTP code (R41).

One form for everyone, so the page does not tell which accounts exist or which need a code: a missing or wrong
code gives the same message as a wrong password. django-axes counts every failure (a wrong code too) and locks
the account and the address out (``sectorplan.second_factor``).
"""

import django_otp
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .second_factor import record_failed_login, requires_second_factor, verified_device


class LoginForm(AuthenticationForm):
    otp = forms.CharField(
        label=_("Verification code"), required=False, max_length=12,
        help_text=_("Office, Commission and staff accounts: the six digits of your authenticator app."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()  # authenticates (django-axes refuses a locked-out account or address)
        user = self.get_user()
        self.otp_device = None
        if user is not None and requires_second_factor(user):
            self.otp_device = verified_device(user, self.cleaned_data.get("otp", ""))
            if self.otp_device is None:
                record_failed_login(self.request, self.cleaned_data.get("username", ""))
                self.user_cache = None
                raise self.get_invalid_login_error()
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)  # the session is verified by this device
        return response
