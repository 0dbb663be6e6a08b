"""The performance report's pages, read back with pypdf as a reader's tools would."""
from io import BytesIO

from pypdf import PdfReader

from tests.kpi.test_indicators import town  # noqa: F401  (the hand-worked district)


def _pages(client, district) -> list[str]:
    response = client.get(f"/kpi/report.pdf?scope=institution:{district.centre.id}"
                          "&period=2026&as_of=2026-11-28")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return [page.extract_text() for page in PdfReader(BytesIO(response.data)).pages]


def test_each_team_has_a_page_with_its_own_figures(login_as, town):  # noqa: F811
    district, _ = town
    pages = _pages(login_as("manager"), district)
    for team, grid, coverage in ((district.teams[0], district.grids[0], ["2", "2", "100.0%"]),
                                 (district.teams[1], district.grids[1], ["0", "1", "0.0%"])):
        # Teams follow one another (several to a page): the team's own section of its page.
        page = next(text for text in pages if f"{team.name} · 第 " in text)
        page = page.split(f"{team.name} · 第 ", 1)[1]
        assert grid.name in page and f"核定人口 {grid.population}" in page
        line = next(line for line in page.splitlines() if line.startswith("网格化覆盖率"))
        assert line.split()[1:4] == coverage


def test_every_page_is_numbered_out_of_all(login_as, town):  # noqa: F811
    district, _ = town
    pages = _pages(login_as("manager"), district)
    assert [text.splitlines()[-1] for text in pages] == [
        f"{number} / {len(pages)}" for number in range(1, len(pages) + 1)]
