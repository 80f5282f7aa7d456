"""The 400, 403, 403 CSRF, 404 and 500 pages: in the site's layout, Chinese (English when English
is chosen), with a link home; the 500 page renders with no request context and no database."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from jingzhun.core import views_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_errors")]

LAYOUT = ['<header class="topbar">', '<footer class="footer">', "/static/jingzhun/site.css"]
HOME_LINK = '<a class="button" href="/">'


def assert_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    for text in [*LAYOUT, HOME_LINK, f'data-status="{status}"', *texts]:
        assert text in page, text
    return page


def in_english(client: Client) -> Client:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def failing_client(client):
    client.raise_request_exception = False
    return client


def test_missing_page_is_a_chinese_404_in_the_layout(client, viewer):
    client.force_login(viewer)
    page = assert_page(client.get("/no-such-page/"), 404, "页面不存在", '<html lang="zh-hans">')
    assert "返回首页" in page
    assert 'href="/registry/households/"' in page  # the navigation of a signed-in user


def test_missing_page_in_english(client):
    page = assert_page(in_english(client).get("/no-such-page/"), 404, "Page not found")
    assert '<html lang="en">' in page
    assert "页面不存在" not in page


def test_forbidden_is_a_chinese_403_with_the_reason(client, viewer):
    client.force_login(viewer)
    page = assert_page(client.get(reverse("household-create")), 403, "禁止访问")
    assert "您没有修改建档立卡数据的权限" in page


def test_forbidden_in_english(client):
    assert_page(in_english(client).get("/test-errors/403/"), 403, "Access denied")


def test_bad_request_is_a_chinese_400(failing_client):
    assert_page(failing_client.get("/test-errors/400/"), 400, "请求有误")


def test_csrf_failure_is_a_chinese_403(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    page = assert_page(client.post(reverse("logout")), 403, "页面已过期", "CSRF")
    assert "Forbidden" not in page


def test_a_view_raising_gives_the_chinese_500(failing_client, viewer):
    failing_client.force_login(viewer)
    page = assert_page(failing_client.get("/test-errors/500/"), 500, "服务器内部错误")
    assert "boom" not in page
    assert "Traceback" not in page


def test_500_in_english(failing_client):
    page = assert_page(in_english(failing_client).get("/test-errors/500/"), 500, "Server error")
    assert "服务器内部错误" not in page


def test_500_when_the_database_is_down(failing_client):
    assert_page(failing_client.get("/test-errors/500-db/"), 500, "服务器内部错误")


def test_500_page_needs_no_database_and_no_user(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views_errors.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page
    assert "csrfmiddlewaretoken" not in page  # no forms without a token (no language switch)


def test_500_falls_back_to_a_fixed_page_when_its_template_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(views_errors, "render_to_string", broken)
    response = views_errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器内部错误" in response.content.decode()
