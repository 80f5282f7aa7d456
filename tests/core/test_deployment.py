"""Production settings behind an HTTPS reverse proxy (docs/operations.md "Production").

Settings are read from the environment at import, so the deploy check runs in a subprocess with
the documented production environment; the login through the proxy runs in this process with
the settings that environment gives (override_settings).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.factories import UserFactory

HOST = "fupin.example.gov.cn"


def production_environment(home) -> dict[str, str]:
    """The environment docs/operations.md tells an operator to set, and nothing else of ours or
    Django's (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check refuses)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("JINGZHUN_", "DJANGO_"))
    }
    environment.update(
        JINGZHUN_HOME=str(home),
        JINGZHUN_SECRET_KEY=secrets.token_urlsafe(50),
        JINGZHUN_ALLOWED_HOSTS=HOST,
        JINGZHUN_BEHIND_HTTPS_PROXY="1",
        JINGZHUN_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
    )
    return environment


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jingzhun.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_the_documented_production_environment(tmp_path):
    result = check_deploy(production_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "security." not in result.stderr


@pytest.mark.slow
def test_check_deploy_warns_without_the_https_proxy_settings(tmp_path):
    environment = production_environment(tmp_path)
    del environment["JINGZHUN_BEHIND_HTTPS_PROXY"]
    result = check_deploy(environment)
    assert result.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr  # no HSTS, no redirect, cookies not secure-only


# What JINGZHUN_BEHIND_HTTPS_PROXY=1 and JINGZHUN_CSRF_TRUSTED_ORIGINS give (settings.py).
BEHIND_THE_PROXY = {
    "ALLOWED_HOSTS": [HOST],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "CSRF_TRUSTED_ORIGINS": [f"https://{HOST}"],
}
# What nginx adds to every request it forwards (docs/operations.md).
FORWARDED = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https"}


def log_in_through_the_proxy(user) -> tuple[Client, object]:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/", **FORWARDED)
    assert page.status_code == 200
    response = browser.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": "pw-123456",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
        HTTP_ORIGIN=f"https://{HOST}",
        HTTP_REFERER=f"https://{HOST}/accounts/login/",
        **FORWARDED,
    )
    return browser, response


@pytest.mark.django_db
def test_login_through_an_https_proxy_succeeds_with_the_proxy_settings(village):
    user = UserFactory(area=village)
    with override_settings(**BEHIND_THE_PROXY):
        browser, response = log_in_through_the_proxy(user)
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert response.cookies["sessionid"]["secure"] is True
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert browser.get("/", **FORWARDED).status_code == 200
        # Plain HTTP (no X-Forwarded-Proto: https) is sent to HTTPS.
        plain = browser.get("/accounts/login/", HTTP_HOST=HOST)
        assert plain.status_code == 301
        assert plain["Location"] == f"https://{HOST}/accounts/login/"


@pytest.mark.django_db
def test_login_through_an_https_proxy_is_refused_without_the_proxy_settings(village):
    user = UserFactory(area=village)
    with override_settings(ALLOWED_HOSTS=[HOST]):
        browser, response = log_in_through_the_proxy(user)
    assert response.status_code == 403  # Origin https://… does not match the http:// request
    assert "_auth_user_id" not in browser.session
