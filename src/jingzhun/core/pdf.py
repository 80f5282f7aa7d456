"""HTML to PDF for the printable pages (public notices, village assessment sheets): WeasyPrint
with a fetcher that fetches nothing. A print template is self-contained (inline CSS, fonts from
the system through fontconfig: Debian's fonts-noto-cjk), so any fetch is a template bug and
stops the rendering instead of reaching the network."""

from __future__ import annotations

from typing import Any


def refusing_fetcher() -> Any:
    """A URL fetcher that refuses every URL (and makes WeasyPrint stop on it)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint takes a function; its errors skip the resource

        def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
            raise ValueError(f"a printed PDF fetches no resources: {url[:80]}")

        return refuse

    class Refuse(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"a printed PDF fetches no resources: {url[:80]}")

    return Refuse(fail_on_errors=True)


def html_to_pdf(html: str) -> bytes:
    """`html` (a self-contained print template's output) as PDF bytes."""
    import weasyprint  # heavy; only the PDFs need it

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=refusing_fetcher()).write_pdf()
