"""Every page of the platform answers, in French and in English, with a bounded number of
queries whatever the data."""

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kenlabour.accounts.tests.factories import user_with_role
from kenlabour.web import audit

pytestmark = pytest.mark.django_db


def named_urls(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_page_of_the_platform_is_in_the_accessibility_audit():
    audited = {page.url_name for page in audit.PAGES} | audit.NOT_PAGES
    missing = sorted(set(named_urls()) - audited)
    assert not missing, f"pages not checked by axe-core: {missing}"


@pytest.mark.parametrize("page", audit.PAGES, ids=lambda p: f"{p.url_name}?{p.query}")
def test_page_answers_with_few_queries(client, page, django_assert_max_num_queries):
    user = None
    if page.login or page.role:
        user = user_with_role(page.role)
        client.force_login(user)
    url = page.url(user)  # creates the page's object, if any, outside the count
    with django_assert_max_num_queries(page.max_queries):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_pages_are_in_french_by_default_and_in_english_on_request(client):
    french = client.get(reverse("web:home"))
    assert '<html lang="fr"' in french.content.decode()
    assert "Se connecter" in french.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("web:home"))
    assert '<html lang="en"' in english.content.decode()
    assert "Log in" in english.content.decode()


def test_unknown_address_gets_the_friendly_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_crash_gets_the_friendly_500_without_traceback(client):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="kenlabour.web.tests.crashing_urls"):
        response = client.get("/panne/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Erreur du serveur" in content
    assert "Traceback" not in content


def test_a_forbidden_page_gets_the_friendly_403(client):
    with override_settings(ROOT_URLCONF="kenlabour.web.tests.crashing_urls"):
        response = client.get("/interdit/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_accessibility_statement_names_every_checked_page_and_the_measured_result(client):
    content = client.get(reverse("web:accessibility")).content.decode()
    assert "non conforme" in content
    assert f"axe-core {audit.axe_version()}" in content
    assert f"les {len(audit.PAGES)} pages" in content
    for page in audit.PAGES:
        assert str(page.title).replace("'", "&#x27;") in content


def test_theme_css_carries_the_configured_colours(client, settings):
    from kenlabour.web.branding import active_theme

    response = client.get(reverse("web:theme_css"))
    assert response["Content-Type"].startswith("text/css")
    assert f"--kl-primary: {active_theme().primary};" in response.content.decode()


def test_pages_forbid_inline_scripts_through_the_content_security_policy(client):
    policy = client.get(reverse("web:home"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
