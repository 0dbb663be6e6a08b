"""The report layout: long sheets run over pages under their headings, charts fit a page."""
from io import BytesIO

from pypdf import PdfReader

from healthgrid.charts import Bar, bar_chart
from healthgrid.kpi import pdf
from healthgrid.kpi.report import text_table


def _render(draw) -> list[str]:
    with pdf.report("网格分子分母", "测试中心 · 2026") as doc:
        doc.add_page()
        draw(doc)
        return [page.extract_text() for page in PdfReader(BytesIO(doc.output())).pages]


def test_a_long_sheet_repeats_its_column_headings_on_every_page():
    sheet = text_table(["网格", "分子", "分母"],
                       [[f"网格{n}", str(n), str(2 * n)] for n in range(300)], right={1, 2})
    pages = _render(lambda doc: doc.sheet(sheet))
    assert len(pages) > 2
    for text in pages:
        assert ["网格", "分子", "分母"] in [line.split() for line in text.splitlines()]
    assert "网格299 299 598" in " ".join(" ".join(text.split()) for text in pages)


def test_a_chart_taller_than_a_page_is_made_to_fit_it():
    chart = str(bar_chart("随访", [Bar(f"网格{n}", n / 200) for n in range(200)], 0.5))
    with pdf.report(chart, "测试中心 · 2026") as doc:
        doc.add_page()
        width, height = doc.chart_size(chart)
        doc.chart(chart)
        assert height <= doc.page_break_trigger - doc.t_margin and doc.page_no() == 1
