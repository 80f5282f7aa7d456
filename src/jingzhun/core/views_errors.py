"""The server-error page. 400, 403 (and its CSRF variant) and 404 are Django's own handlers
rendering our templates (templates/400.html, 403.html, 403_csrf.html, 404.html).

The 500 page must render whatever broke: the database, a context processor, a template. So it
gets no RequestContext (no user, no session, no query) and only static text in the active
language; if even that fails, a fixed bilingual page is sent.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The last resort: no template, no translation machinery.
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
    "<title>服务器内部错误 / Server error</title></head><body>"
    "<h1>服务器内部错误</h1><p>系统处理请求时出错，已记录。请稍后再试。</p>"
    "<p>Server error: the problem has been logged. Please try again later.</p>"
    '<p><a href="/">返回首页 / Home</a></p></body></html>'
)


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponseServerError:
    try:
        # No request: a RequestContext would run the context processors (user, messages),
        # which may need the database that just failed.
        page = render_to_string(template_name, {"minimal": True})
    except Exception:
        logger.exception("the 500 page itself failed to render")
        page = FALLBACK_500
    return HttpResponseServerError(page)
