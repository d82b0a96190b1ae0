"""Pages for everyone, logged in or not (issue 15 item 4): the accessibility statement, the privacy statement and
the contact page (linked from every page's footer), and password reset by e-mail on Django's own views with Dutch
templates. The reset never tells whether an address has an account: every address gets the same answer."""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView


def html_lang(language: str):
    """Give a third-party page without ``lang`` (Swagger UI and ReDoc of drf-spectacular) an explicit language on
    its ``<html>`` element (WCAG 3.1.1), after it has been rendered; upgrade-proof, as no template is copied."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)

            def set_lang(rendered):
                rendered.content = rendered.content.replace(b"<html>", f'<html lang="{language}">'.encode(), 1)
                return rendered

            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(set_lang)
            return response

        return wrapped

    return decorate


class StaticPageView(TemplateView):
    """A page of text; the office's contact details come from the letter sender settings (R27)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["office"] = {
            "name": settings.LETTER_OFFICE_NAME,
            "department": settings.LETTER_OFFICE_DEPARTMENT,
            "postbus": settings.LETTER_OFFICE_POSTBUS,
            "postal_code": settings.LETTER_OFFICE_POSTAL_CODE,
            "city": settings.LETTER_OFFICE_CITY,
            "phone": settings.LETTER_OFFICE_PHONE,
            "email": settings.LETTER_OFFICE_EMAIL,
            "website": settings.LETTER_OFFICE_WEBSITE,
        }
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view; the link in the mail is built on SITE_URL, never on the request's Host header (no
    poisoned reset links). Unknown addresses get the same answer and no mail (Django's own behaviour)."""

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


page_urls = [
    path("toegankelijkheid/", StaticPageView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("privacy/", StaticPageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("contact/", StaticPageView.as_view(template_name="pages/contact.html"), name="contact"),
]

password_reset_urls = [
    path(
        "wachtwoord-vergeten/",
        PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path("wachtwoord-vergeten/verstuurd/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("wachtwoord-herstellen/klaar/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]
