"""One helper to turn a Django template into a PDF with WeasyPrint (R26).

WeasyPrint is imported lazily (it loads Pango and is only needed by the letter worker). Rendering
happens under ``translation.override("nl")`` so that dates and numbers read Dutch whatever the
caller's language. Static files (the letter's stylesheet) are read from disk by a URL fetcher that
never touches the network.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

#: Relative URLs in the letter resolve against this base; it is never fetched over the network.
BASE_URL = "https://letters.invalid/"


def render_html(template: str, context: dict) -> str:
    """The letter's HTML, rendered in Dutch (what the tests assert on)."""
    with translation.override("nl"):
        return render_to_string(template, context)


@functools.lru_cache(maxsize=32)
def _read_static(path: str) -> bytes:
    # Static files do not change while a worker runs; each worker child starts with an empty cache.
    return Path(path).read_bytes()


def static_path(url: str) -> Path | None:
    """The file on disk behind a ``/static/...`` URL, or None."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = path[len(settings.STATIC_URL):]
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
    if candidate.is_relative_to(Path(settings.STATIC_ROOT).resolve()) and candidate.is_file():
        return candidate
    return None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 - lazy: heavy import

    class StaticFileFetcher(URLFetcher):
        """Serves ``/static/`` from disk and ``data:`` URLs; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise ValueError("Letters may only use local static files.")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, _read_static(str(path)), {"Content-Type": mime_type})

    return StaticFileFetcher()


@functools.cache
def _font_config():
    """One font configuration per process: building it (fontconfig, Pango) is a fixed cost per render
    that a worker rendering thousands of letters need not pay each time. Letters use no @font-face."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - lazy: heavy import

    # WeasyPrint logs every layout step at INFO; per letter that is noise in the worker log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - lazy: heavy import

    font_config = _font_config()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(font_config=font_config)


def render_pdf(template: str, context: dict) -> bytes:
    """Render ``template`` with ``context`` in Dutch and return the PDF bytes."""
    with translation.override("nl"):
        return html_to_pdf(render_html(template, context))
