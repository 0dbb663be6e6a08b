"""The performance report reads as one document (issue #17): every table styled as the
indicator table (no monospaced text ruled with dashes), the cover names the centre once,
and the team sections follow one another instead of leaving pages mostly empty."""
from io import BytesIO

from pypdf import PdfReader

from tests.kpi.test_indicators import town  # noqa: F401  (the hand-worked district)


def _report(client, district) -> PdfReader:
    response = client.get(f"/kpi/report.pdf?scope=institution:{district.centre.id}"
                          "&period=2026&as_of=2026-11-28")
    assert response.status_code == 200
    return PdfReader(BytesIO(response.data))


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_no_table_is_monospaced_text_ruled_with_dashes(login_as, town):  # noqa: F811
    district, _ = town
    reader = _report(login_as("manager"), district)
    assert not any("Mono" in name for name in _fonts(reader))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "-----" not in text and "* 未达标" not in text
    assert "排名" in text and "合计" in text  # the ranking and the events still there


def test_the_cover_names_the_centre_once(login_as, town):  # noqa: F811
    district, _ = town
    cover = _report(login_as("manager"), district).pages[0].extract_text()
    assert cover.count(district.centre.name) == 1


def test_team_sections_follow_on_instead_of_a_page_each(login_as, town):  # noqa: F811
    district, _ = town
    pages = [page.extract_text() for page in _report(login_as("manager"), district).pages]
    ranking = next(text for text in pages if "团队排名" in text)
    first = district.teams[0] if f"{district.teams[0].name} · 第 1 名" in "".join(pages) \
        else district.teams[1]
    assert f"{first.name} · 第 " in ranking  # under the ranking, not on a page of its own
    assert len(pages) <= 6  # cover, indicators and events, charts, ranking and teams
