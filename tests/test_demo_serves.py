"""README command 1 ends in `jingzhun demo`: it builds the county and serves it, assets included."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL
        return response.status, response.read()


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
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "jingzhun-demo" in output  # the printed logins
    assert (tmp_path / "jingzhun.sqlite3").exists()
