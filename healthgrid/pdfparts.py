"""WeasyPrint documents: each PDF of the app through render(), a long one laid out on
every core by render_parts().

WeasyPrint lays out a page of the national forms in about a tenth of a second, all of it
Python on one core: a grid's year of follow-up sheets (300 pages and more) would keep one
core busy for half a minute while the others wait. Its pages are independent, so the
document is cut into parts of whole forms, each part a whole HTML document rendered in a
worker process, and the parts' PDFs are joined in order.

Page numbers run on across the parts: each part is built for the page it is expected to
start on (its forms' expected page counts added up). A part that starts elsewhere than
expected, because a form before it ran over a page, is built and rendered again.

Workers fork from a server process that has loaded WeasyPrint once (multiprocessing's
forkserver), not from the web worker: nothing of the request's database connections or
threads reaches them. Only this module's functions run there, on HTML strings. They stay
up for the next document (starting them costs a second), one pool per web worker process.
"""
from __future__ import annotations

import functools
import gc
import io
import multiprocessing
import os
import sys
import threading
from contextlib import contextmanager
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

# Below this many expected pages a document is laid out in the calling process: starting
# workers costs more than it saves.
MIN_PAGES_PER_PART = 3
# A long document is cut into parts of about this many pages (at least one per worker):
# each part carries its own copy of the fonts' glyphs (431 pages: 3.2 MB in parts of 110
# pages, 5.6 MB in parts of 35), and parts of 35, 60 and 110 pages took the same time.
PAGES_PER_PART = 110

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload([__name__])


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0))))


_pool: tuple[int, ProcessPoolExecutor] | None = None   # (workers, pool)
_pool_lock = threading.Lock()
_local = threading.local()


def _workers_pool(size: int, fresh: bool = False) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if fresh or _pool is None or _pool[0] != size:
            if _pool is not None:
                _pool[1].shutdown(wait=False, cancel_futures=True)
            _pool = (size, ProcessPoolExecutor(size, mp_context=_context))
        return _pool[1]


def _font_config():
    """One FontConfiguration a thread: making one (fontconfig and Pango's font map) was
    a tenth of a second, half the time of a one-page form."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration
        config = _local.font_config = FontConfiguration()
    return config


@functools.lru_cache(maxsize=8)
def _stylesheet(css: str):
    from weasyprint import CSS
    return CSS(string=css)


def _etree(node):
    """lxml's tree as the xml.etree one WeasyPrint walks (comments left out, their tails
    kept)."""
    from xml.etree.ElementTree import Element
    element = Element(node.tag, dict(node.attrib))
    element.text = node.text
    last = None
    for child in node:
        if isinstance(child.tag, str):
            last = _etree(child)
            element.append(last)
        elif child.tail:
            if last is None:
                element.text = (element.text or "") + child.tail
            else:
                last.tail = (last.tail or "") + child.tail
    element.tail = node.tail
    return element


@functools.lru_cache(maxsize=1)
def _html_class():
    import cssselect2
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class LeanHTML(HTML):
        """An HTML document whose user-agent stylesheet is the caller's own, parsed by
        libxml2 (lxml) rather than WeasyPrint's pure-Python HTML 5 parser, which took a
        tenth of a form page's time. Sets what WeasyPrint's own constructor sets."""

        def __init__(self, html: str, base_url: str | None, ua_css: str):
            from lxml import html as lxml_html
            self.ua_css = ua_css
            self.base_url = base_url
            self.url_fetcher = URLFetcher()
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                _etree(lxml_html.document_fromstring(html)), content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):  # WeasyPrint's hook for its own sheets
            return [_stylesheet(self.ua_css)]

    return LeanHTML


def render_counted(html: str, base_url: str | None = None,
                   ua_css: str | None = None) -> tuple[bytes, int]:
    """(PDF, pages) of one HTML document.

    ua_css replaces WeasyPrint's user-agent stylesheet (the HTML 5 defaults, some 250 rules
    matched against every element) for a document that sets the style of every element it
    uses: on the forms' 400 elements a page, matching those rules was a fifth of the time.
    Such a document is also parsed by libxml2 (see LeanHTML)."""
    from weasyprint import HTML
    document = (HTML(string=html, base_url=base_url) if ua_css is None
                else _html_class()(html, base_url, ua_css))
    font_config = _font_config()
    # The layout makes some hundred thousand objects that live until the end: the cyclic
    # collector, run again and again over all of them, took some 6% of the time (and saved
    # 20 MB at 200 pages). It collects as usual afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        rendered = document.render(font_config=font_config)
        return rendered.write_pdf(), len(rendered.pages)
    finally:
        if collecting:
            gc.enable()


def render(html: str, base_url: str | None = None, ua_css: str | None = None) -> bytes:
    return render_counted(html, base_url, ua_css)[0]


def _slices(items: Sequence[T], pages: Sequence[int], parts: int) -> list[list[int]]:
    """Indexes of `items` in `parts` runs of about equal expected pages, in order."""
    total = sum(pages)
    runs, run, filled = [], [], 0
    for index, count in enumerate(pages):
        run.append(index)
        filled += count
        if len(runs) < parts - 1 and filled >= total * (len(runs) + 1) / parts:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def render_parts(build: Callable[[Sequence[T], int], str], items: Sequence[T],
                 expected_pages: Callable[[T], int], *, workers: int,
                 base_url: str | None = None, ua_css: str | None = None) -> bytes:
    """One PDF of `items`, laid out on up to `workers` processes.

    build(some_items, first_page) is the HTML of those items, numbered from first_page;
    expected_pages(item) how many pages an item usually takes."""
    pages = [max(1, expected_pages(item)) for item in items]
    total = sum(pages)
    parts = min(max(workers, -(-total // PAGES_PER_PART)), total // MIN_PAGES_PER_PART)
    if workers < 2 or parts < 2:
        return render(build(items, 1), base_url, ua_css)
    runs, starts, page = [], [], 1
    for indexes in _slices(items, pages, parts):
        runs.append([items[i] for i in indexes])
        starts.append(page)
        page += sum(pages[i] for i in indexes)
    results = _render_in_pool([(lambda run=run, start=start: build(run, start))
                               for run, start in zip(runs, starts)], workers, base_url, ua_css)
    page = 1
    for index, (run, start) in enumerate(zip(runs, starts)):
        if start != page:  # a form before this part ran over: its numbers moved
            results[index] = render_counted(build(run, page), base_url, ua_css)
        page += results[index][1]
    return join([pdf for pdf, _count in results])


def _render_in_pool(builds: list[Callable[[], str]], workers: int, base_url, ua_css) -> list:
    """render_counted of each built HTML, in the pool; each part is sent as soon as it is
    built, so the workers start while the next part's HTML is still being made."""
    def run(pool):
        with _main_hidden():   # a submit may start a worker
            futures = [pool.submit(render_counted, build(), base_url, ua_css)
                       for build in builds]
        return [future.result() for future in futures]
    try:
        return run(_workers_pool(workers))
    except BrokenProcessPool:   # a worker died (killed, out of memory): start anew, once
        return run(_workers_pool(workers, fresh=True))


@contextmanager
def _main_hidden():
    """A worker started meanwhile does not run the calling program's main module again.

    multiprocessing prepares a non-fork worker by importing the parent's __main__ (by its
    name or its path): a benchmark would start over there, and a script read from standard
    input cannot be found at all. The workers need nothing but this module."""
    main = sys.modules["__main__"]
    saved = {name: main.__dict__.pop(name) for name in ("__file__", "__spec__")
             if name in main.__dict__}
    if "__spec__" in saved:
        main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def join(pdfs: Sequence[bytes]) -> bytes:
    """The PDFs one after the other, as one."""
    if len(pdfs) == 1:
        return pdfs[0]
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
