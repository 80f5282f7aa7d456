"""README command 1 ends in `jingzhun demo`: it builds the county and serves it, assets included;
`jingzhun serve` serves with waitress (a production WSGI server), also behind an HTTPS proxy."""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.core.test_deployment import HOST, production_environment

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL
        return response.status, response.read()


def server_header(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL
        return response.headers["Server"]


def test_demo_builds_and_serves_the_app_and_its_assets(tmp_path):
    port = free_port()
    env = {**os.environ, "JINGZHUN_HOME": str(tmp_path)}
    env.pop("JINGZHUN_DATABASE_URL", None)  # the demo is the embedded SQLite default
    command = [
        shutil.which("jingzhun") or "jingzhun",
        "demo",
        "--scale",
        "0.02",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, page = get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read().decode()) from None
                time.sleep(0.5)
        assert status == 200
        assert "精准扶贫信息系统" in page.decode()
        status, script = get(f"http://127.0.0.1:{port}/static/vendor/echarts/echarts.min.js")
        assert status == 200 and len(script) > 500_000
        # waitress, not Django's development server ("WSGIServer/0.2 CPython/3.11").
        assert server_header(f"http://127.0.0.1:{port}/accounts/login/") == "waitress"
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "jingzhun-demo" in output  # the printed logins
    assert (tmp_path / "jingzhun.sqlite3").exists()


STATIC = Path(__file__).resolve().parents[1] / "src" / "jingzhun" / "static"


class Proxy:
    """Requests as nginx forwards them (docs/operations.md): the public host name, the scheme
    the visitor used, the cookies the browser holds."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies = SimpleCookie()

    def request(self, method: str, path: str, *, https: bool = True, body: str = "", **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": HOST, **headers}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        try:
            connection.request(method, path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response, content


def test_serve_runs_waitress_behind_an_https_proxy(tmp_path):
    """`jingzhun serve` in the documented production environment: waitress answers, believes
    X-Forwarded-Proto from the proxy (127.0.0.1), redirects plain HTTP, serves static files
    compressed through WhiteNoise, and a login POST from https://HOST succeeds (it was 403)."""
    deadline = time.monotonic() + 60  # the whole test, set-up included
    environment = production_environment(tmp_path)
    command = [sys.executable, "-m", "jingzhun.cli"]
    subprocess.run(
        [
            *command,
            "shell",
            "-c",
            "from django.core.management import call_command;"
            "call_command('migrate', verbosity=0);"
            "from jingzhun.accounts.models import User;"
            "User.objects.create_superuser('chief', 'chief@example.gov.cn', 'pw-123456')",
        ],
        env=environment,
        check=True,
        timeout=deadline - time.monotonic(),
    )
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--threads", "2", "--task-workers", "0"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    proxy = Proxy(port)
    try:
        while True:
            try:
                response, _ = proxy.request("GET", "/accounts/login/", https=False)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    raise AssertionError(server.communicate()[0].decode()) from None
                time.sleep(0.5)
        # Plain HTTP reaching the app is sent to HTTPS.
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}/accounts/login/"
        assert response.headers["Server"] == "waitress"

        response, page = proxy.request("GET", "/accounts/login/")
        assert response.status == 200
        assert "精准扶贫信息系统" in page.decode()
        assert response.headers["Server"] == "waitress"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert proxy.cookies["csrftoken"]["secure"] is True

        response, css = proxy.request(
            "GET", "/static/jingzhun/site.css", **{"Accept-Encoding": "gzip"}
        )
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert response.headers["Content-Encoding"] == "gzip"  # WhiteNoise's collected copy
        assert gzip.decompress(css) == (STATIC / "jingzhun" / "site.css").read_bytes()
        response, script = proxy.request("GET", "/static/vendor/swagger-ui/swagger-ui-bundle.js")
        assert response.status == 200
        assert "javascript" in response.headers["Content-Type"]
        assert script == (STATIC / "vendor" / "swagger-ui" / "swagger-ui-bundle.js").read_bytes()

        form = {
            "username": "chief",
            "password": "pw-123456",
            "csrfmiddlewaretoken": proxy.cookies["csrftoken"].value,
        }
        response, _ = proxy.request(
            "POST",
            "/accounts/login/",
            body=urllib.parse.urlencode(form),
            Origin=f"https://{HOST}",
            Referer=f"https://{HOST}/accounts/login/",
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 302
        assert response.headers["Location"] == "/"
        assert proxy.cookies["sessionid"]["secure"] is True
        response, _ = proxy.request("GET", "/")
        assert response.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "waitress, 2 threads, 0 task workers" in output
