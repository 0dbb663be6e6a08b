"""The national forms on paper (FORMS.md §5): one resident's forms and a grid's program
file as PDFs with their text extractable, in Chinese, four visits a sheet."""
import io
import os
import subprocess
from datetime import date

from pypdf import PdfReader

from healthgrid.clock import today

from tests import factories
from tests.chronic.test_check_api import CHECK
from tests.chronic.test_national_followup_api import HTN_VISIT
from tests.records.test_profile_api import PROFILE


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _patient(client, headers, district):
    household = factories.household(district.grids[0])
    body = {**PROFILE, "birth_date": "1950-03-08"}
    resident = client.post("/api/v1/residents", headers=headers,
                           json={"household_id": household.id, **body}).json
    enrollment = client.post(f"/api/v1/residents/{resident['id']}/enrollments",
                             headers=headers, json={"program": "hypertension",
                                                    "enrolled_on": "2026-01-05"}).json
    for month in (1, 3, 5, 7, 9):
        visit = {**HTN_VISIT, "visit_date": f"2026-{month:02d}-{10 + month}",
                 "sbp": 130 + month}
        assert client.post(f"/api/v1/enrollments/{enrollment['id']}/followups",
                           headers=headers, json=visit).status_code == 201
    elderly = next(e for e in client.get(f"/api/v1/residents/{resident['id']}/enrollments",
                                         headers=headers).json if e["program"] == "elderly")
    assert client.post(f"/api/v1/enrollments/{elderly['id']}/checks", headers=headers,
                       json={**CHECK, "check_date": today().isoformat()}).status_code == 201
    return resident


def test_resident_forms_print_in_the_national_layout(api_as, district, tmp_path):
    client, headers = api_as("doctor")
    resident = _patient(client, headers, district)
    response = client.get(f"/api/v1/residents/{resident['id']}/forms.pdf?year=2026",
                          headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    for words in ("个人基本信息表", "健康体检表", "高血压患者随访服务记录表", resident["archive_no"],
                  "林秀英", "区医院心内科", "氨氯地平", "乳腺癌根治术", "父亲", "糖化血红蛋白"):
        assert words in text, words
    reader = PdfReader(io.BytesIO(response.data))
    sheets = [p for p in reader.pages if "随访服务记录表" in p.extract_text()]
    assert len(sheets) == 2                      # five visits: four on the first sheet
    assert sheets[0].extract_text().count("2026-0") >= 4
    if os.environ.get("HEALTHGRID_PDF_PNG"):     # to look at the pages
        (tmp_path / "forms.pdf").write_bytes(response.data)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "forms.pdf"),
                        os.path.join(os.environ["HEALTHGRID_PDF_PNG"], "forms")], check=True)


def test_grid_file_of_a_program_and_scope(api_as, district):
    client, headers = api_as("doctor")
    resident = _patient(client, headers, district)
    grid_id = district.grids[0].id
    response = client.get(f"/api/v1/grids/{grid_id}/forms.pdf?program=hypertension&year=2026",
                          headers=headers)
    assert response.status_code == 200
    text = _text(response.data)
    assert resident["archive_no"] in text and "个人基本信息表" not in text
    with_profile = client.get(f"/api/v1/grids/{grid_id}/forms.pdf?program=hypertension"
                              f"&year=2026&profile=1", headers=headers)
    assert "个人基本信息表" in _text(with_profile.data)
    other, other_headers = api_as("doctor", team_index=1)
    assert other.get(f"/api/v1/grids/{grid_id}/forms.pdf?program=hypertension",
                     headers=other_headers).status_code == 404
    assert other.get(f"/api/v1/residents/{resident['id']}/forms.pdf",
                     headers=other_headers).status_code == 404


def test_archive_page_prints_the_resident(login_as, district, db):
    resident = factories.resident(factories.household(district.grids[0]),
                                  birth_date=date(1950, 1, 1))
    doctor = login_as("doctor")
    page = doctor.get(f"/records/residents/{resident.id}").get_data(as_text=True)
    assert f"/chronic/residents/{resident.id}/forms.pdf" in page
    response = doctor.get(f"/chronic/residents/{resident.id}/forms.pdf?year=2026")
    assert response.status_code == 200 and "个人基本信息表" in _text(response.data)


def _png_pages(pdf: bytes, folder, name: str) -> list[bytes]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(folder / f"{name}.pdf"),
                    str(folder / name)], check=True)
    return [path.read_bytes() for path in sorted(folder.glob(f"{name}-*.png"))]


def test_the_forms_own_stylesheet_draws_what_weasyprints_defaults_draw(api_as, district, db,
                                                                       tmp_path):
    """The forms are laid out with a user-agent stylesheet of their own (FORMS_UA_CSS, for
    speed): every page must look exactly as with WeasyPrint's HTML defaults."""
    from healthgrid import pdfparts
    from healthgrid.chronic import printing
    from healthgrid.records.models import Resident
    client, headers = api_as("doctor")
    resident = db.session.get(Resident, _patient(client, headers, district)["id"])
    html = printing.forms_html([printing.resident_packet(resident, 2026)], 2026, today())
    lean = _png_pages(pdfparts.render(html, ua_css=printing.FORMS_UA_CSS), tmp_path, "lean")
    usual = _png_pages(pdfparts.render(html), tmp_path, "usual")
    assert len(lean) == len(usual) >= 4          # profile, check, two sheets
    assert [page == other for page, other in zip(lean, usual)] == [True] * len(usual)
