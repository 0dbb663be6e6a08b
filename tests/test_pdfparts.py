"""A long document laid out in parts on worker processes reads as if laid out whole: every
item in order, the pages numbered on without a gap, even when an item ran over the pages
it was expected to take."""
import io
import re

from pypdf import PdfReader

from healthgrid import pdfparts

# Each item is one form: its name, and how many paragraphs it has (16 fill an A7 page).
ITEMS = [(f"form-{n:02d}", 40 if n in (3, 10) else 4) for n in range(14)]


def _build(items, first_page):
    forms = "".join(
        f'<section style="break-after: page"><h1>{name}</h1>{"<p>line</p>" * paragraphs}'
        f"</section>" for name, paragraphs in items)
    return (f"<html><head><style>@page {{ size: A7; margin: 8mm; "
            f"@bottom-center {{ content: 'page ' counter(page) }} }} "
            f"@page :first {{ counter-reset: page {first_page} }}</style></head>"
            f"<body>{forms}</body></html>")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _render(workers):
    # Every form is expected on one page: forms 3 and 10 take several, so the parts after
    # them start later than planned and must be numbered again.
    return pdfparts.render_parts(_build, ITEMS, lambda item: 1, workers=workers)


def test_parts_read_as_one_document_numbered_on():
    pages = _pages(_render(workers=3))
    numbers = [int(re.search(r"page (\d+)", text).group(1)) for text in pages]
    assert numbers == list(range(1, len(pages) + 1))
    assert len(pages) > len(ITEMS)            # forms 3 and 10 did run over
    names = [name for text in pages for name in re.findall(r"form-\d\d", text)]
    assert names == [name for name, _ in ITEMS]


def test_parts_give_the_pages_of_one_process():
    assert _pages(_render(workers=3)) == _pages(_render(workers=1))


def test_a_short_document_is_laid_out_in_this_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a two-page document needs no workers")
    monkeypatch.setattr(pdfparts, "_render_in_pool", no_pool)
    pages = _pages(pdfparts.render_parts(_build, ITEMS[:2], lambda item: 1, workers=4))
    assert [re.search(r"form-\d\d", text).group(0) for text in pages] == ["form-00", "form-01"]


def test_slices_share_the_pages_out_in_order():
    assert pdfparts._slices(list("abcdef"), [1, 1, 4, 1, 1, 1], 2) == [[0, 1, 2], [3, 4, 5]]
    assert pdfparts._slices(list("abc"), [1, 1, 1], 3) == [[0], [1], [2]]
