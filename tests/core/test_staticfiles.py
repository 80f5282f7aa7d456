"""collectstatic writes WhiteNoise's compressed copies again only for files that changed, so that
`jingzhun serve` can collect at every start (core/staticfiles.py)."""

from __future__ import annotations

import gzip
import io
import os

from django.core.management import call_command
from django.test import override_settings


def collect() -> str:
    output = io.StringIO()
    call_command("collectstatic", interactive=False, verbosity=1, stdout=output)
    return output.getvalue()


def test_collectstatic_compresses_a_file_again_only_when_it_changed(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    css = source / "site.css"
    css.write_text("body { color: black; }\n" * 100)
    root = tmp_path / "root"
    with override_settings(
        STATICFILES_DIRS=[source],
        STATIC_ROOT=root,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        assert "1 static file copied" in collect()
        compressed = root / "site.css.gz"
        assert gzip.decompress(compressed.read_bytes()) == css.read_bytes()

        again = collect()
        assert "0 static files copied" in again and "1 unmodified" in again
        assert "post-processed" not in again

        css.write_text("body { color: red; }\n" * 100)
        later = os.stat(root / "site.css").st_mtime + 5
        os.utime(css, (later, later))
        changed = collect()
        assert "1 static file copied" in changed and "post-processed" in changed
        assert gzip.decompress(compressed.read_bytes()) == css.read_bytes()
