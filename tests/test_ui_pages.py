"""Issue 15 item 4: Dutch everywhere (error pages, banner, password messages, file names, API docs' language), the
static pages linked from the footer, and password reset by e-mail without telling which addresses have accounts."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from django.views import defaults

from accounting.agreement_views import AGREEMENT_DOCUMENT_FILE_NAMES
from accounting.models import AgreementDocumentKind
from applications.constants import DECISION_FILE_NAMES, DecisionKind
from budgets.constants import EVIDENCE_FILE_NAMES, EvidenceKind
from sectorplan.urls import urlpatterns as project_urlpatterns
from tests.applications.factories import MembershipFactory, UserFactory
from tests.support.otp import login_verified

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("kapot/", _boom), *project_urlpatterns]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading"),
    [("/toegankelijkheid/", "Toegankelijkheidsverklaring"), ("/privacy/", "Privacyverklaring"), ("/contact/", "Contact")],
)
def test_static_pages_render_in_dutch_without_logging_in_and_are_linked_from_the_footer(client, url, heading):
    response = client.get(url, **NL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    footer = html[html.index('<footer'):]
    for link in ('href="/toegankelijkheid/"', 'href="/privacy/"', 'href="/contact/"'):
        assert link in footer
    assert ">Toegankelijkheid<" in footer


@pytest.mark.django_db
def test_contact_page_shows_the_configured_office(client, settings):
    settings.LETTER_OFFICE_EMAIL = "loket@voorbeeld.nl"
    html = client.get("/contact/", **NL).content.decode()
    assert 'href="mailto:loket@voorbeeld.nl"' in html


@pytest.mark.django_db
def test_404_page_is_dutch(client):
    response = client.get("/bestaat-niet/", **NL)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Pagina niet gevonden" in html
    assert "Not Found" not in html


def test_500_page_is_dutch_and_renders_without_a_request_context():
    request = RequestFactory().get("/", **NL)
    response = defaults.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Er ging iets mis" in html
    assert "Server Error" not in html
    assert "Testomgeving" not in html  # no context processors ran: no banner, and no crash


@pytest.mark.django_db
@pytest.mark.urls("tests.test_ui_pages")
def test_an_exception_in_a_view_answers_the_dutch_500_page(client):
    client.raise_request_exception = False
    response = client.get("/kapot/", **NL)
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_a_dutch_page_not_a_bare_403_forbidden():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    login_verified(client, user)
    response = client.post("/uitloggen/", **NL)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Het formulier is verlopen" in html
    assert "Forbidden" not in html


@pytest.mark.django_db
def test_environment_banner_is_dutch(client, settings):
    settings.ENVIRONMENT = "development"
    assert "Testomgeving: ontwikkeling" in client.get("/inloggen/", **NL).content.decode()
    settings.ENVIRONMENT = "production"
    assert "Testomgeving" not in client.get("/inloggen/", **NL).content.decode()


@pytest.mark.django_db
def test_pages_carry_the_nl_design_system_theme_and_css(client):
    html = client.get("/inloggen/", **NL).content.decode()
    assert re.search(r'<html lang="nl" class="utrecht-html rhc-theme">', html)
    for css in ("nlds/rhc-tokens.css", "nlds/utrecht-components.css", "nlds/utrecht-html.css", "css/portal.css"):
        assert f"/static/{css}" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_documentation_pages_state_their_language(client, url):
    user = UserFactory()
    login_verified(client, user)
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_password_too_short_message_is_dutch():
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        validate_password("kort1")
    assert "Dit wachtwoord is te kort. Het moet ten minste 8 tekens bevatten." in caught.value.messages


def test_downloaded_file_names_are_dutch_for_every_kind():
    assert set(DECISION_FILE_NAMES) == set(DecisionKind)
    assert set(EVIDENCE_FILE_NAMES) == set(EvidenceKind)
    assert set(AGREEMENT_DOCUMENT_FILE_NAMES) == set(AgreementDocumentKind)
    english = {"grant", "rejection", "advance", "settlement", "amendment", "lapse", "invoice", "payslip"}
    names = [*DECISION_FILE_NAMES.values(), *EVIDENCE_FILE_NAMES.values(), *AGREEMENT_DOCUMENT_FILE_NAMES.values()]
    assert not english & set(names)
    assert all(re.fullmatch(r"[a-z-]+", name) for name in names)


# --- Password reset by e-mail ----------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_links_to_password_reset(client):
    assert 'href="/wachtwoord-vergeten/"' in client.get("/inloggen/", **NL).content.decode()


@pytest.mark.django_db
def test_password_reset_gives_the_same_answer_for_unknown_and_known_addresses(client):
    UserFactory(email="bekend@voorbeeld.nl")
    known = client.post("/wachtwoord-vergeten/", {"email": "bekend@voorbeeld.nl"}, follow=True, **NL)
    unknown = client.post("/wachtwoord-vergeten/", {"email": "onbekend@voorbeeld.nl"}, follow=True, **NL)
    assert known.redirect_chain == unknown.redirect_chain == [("/wachtwoord-vergeten/verstuurd/", 302)]
    assert known.content == unknown.content
    assert "Kijk in uw e-mail" in known.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bekend@voorbeeld.nl"]


@pytest.mark.django_db
def test_password_reset_without_an_address_names_the_field(client):
    response = client.post("/wachtwoord-vergeten/", {"email": ""}, **NL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert "Dit veld is verplicht" in html


@pytest.mark.django_db
def test_password_reset_flow_sets_a_new_password_through_the_dutch_mail(client, settings):
    settings.SITE_URL = "https://portaal.voorbeeld.nl"
    user = MembershipFactory(user__email="werkgever@voorbeeld.nl").user
    client.post("/wachtwoord-vergeten/", {"email": "werkgever@voorbeeld.nl"}, **NL)
    message = mail.outbox[0]
    assert message.subject == "SectorplanPlus: kies een nieuw wachtwoord"
    assert "Kies een nieuw wachtwoord met deze link" in message.body
    assert f"Uw gebruikersnaam is {user.username}." in message.body
    link = re.search(r"https://portaal\.voorbeeld\.nl(/wachtwoord-herstellen/\S+/\S+/)", message.body).group(1)

    form = client.get(link, follow=True, **NL)
    assert form.status_code == 200
    assert "Kies een nieuw wachtwoord" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    too_short = client.post(set_url, {"new_password1": "kort1", "new_password2": "kort1"}, **NL)
    assert "Dit wachtwoord is te kort" in too_short.content.decode()
    done = client.post(set_url, {"new_password1": "lange-zin-van-woorden-42", "new_password2": "lange-zin-van-woorden-42"},
                       follow=True, **NL)
    assert "Uw wachtwoord is gewijzigd" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("lange-zin-van-woorden-42")
    # The link works once.
    again = client.get(link, follow=True, **NL)
    assert "Deze link werkt niet meer" in again.content.decode()


@pytest.mark.django_db
def test_password_reset_link_ignores_a_forged_host_header(client, settings):
    settings.SITE_URL = "https://portaal.voorbeeld.nl"
    UserFactory(email="a@voorbeeld.nl")
    client.post("/wachtwoord-vergeten/", {"email": "a@voorbeeld.nl"}, HTTP_HOST="kwaadwillend.example", **NL)
    assert "kwaadwillend" not in mail.outbox[0].body
    assert User.objects.filter(email="a@voorbeeld.nl").exists()
