"""The team's service contact card: a PDF in Chinese, one A5 landscape card per grid,
members with roles and work phones, and a QR code that decodes to the grid's survey link."""
import re
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from healthgrid.extensions import db
from healthgrid.surveys.public import survey_url
from tests import factories


def _pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return PdfReader(BytesIO(response.data))


def _decode_qr_codes(pdf_bytes: bytes) -> list[list[str]]:
    """Each page rendered at 150 dpi (pdftoppm) and its QR codes decoded (zbarimg)."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "card.pdf"
        pdf.write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(Path(tmp) / "page")],
                       check=True)
        pages = []
        for png in sorted(Path(tmp).glob("page*.png")):
            done = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True,
                                  text=True)
            pages.append([line for line in done.stdout.splitlines() if line])
        return pages


def test_card_carries_team_members_and_a_qr_code_of_each_grid(app, login_as, district):
    team = district.teams[0]
    team.service_hours = "周一至周五 8:00-17:00"
    team.phone = "010-66001234"
    second = factories.grid(district.community, team, name="幸福里第3网格")
    db.session.flush()
    response = login_as("manager").get(f"/surveys/cards/{team.id}.pdf")
    reader = _pdf(response)
    grids = [district.grids[0], second]
    assert len(reader.pages) == len(grids)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 420)  # A5 landscape
    with app.test_request_context():
        urls = [survey_url(g.id) for g in grids]
    for page, grid in zip(reader.pages, grids):
        text = re.sub(r"\s+", "", page.extract_text())
        assert "家庭医生服务联系卡" in text and "甲团队" in text and grid.name in text
        for role in ("a_gp", "a_nurse", "a_public_health"):
            person = district.staff[role]
            assert person.name in text and person.phone in text
        assert "全科医生" in text and "护士" in text and "公卫人员" in text
        assert "周一至周五8:00-17:00" in text and "010-66001234" in text
        assert "扫码评价我们的服务" in text
        assert district.staff["b_gp"].name not in text
    assert _decode_qr_codes(response.data) == [[url] for url in urls]


def test_team_members_may_print_their_own_card_only(login_as, district):
    doctor = login_as("doctor")
    assert doctor.get(f"/surveys/cards/{district.teams[0].id}.pdf").status_code == 200
    assert doctor.get(f"/surveys/cards/{district.teams[1].id}.pdf").status_code == 404
    assert login_as("manager").get("/surveys/cards/999999.pdf").status_code == 404


def test_a_team_without_grids_still_prints_its_contacts(login_as, district):
    team, members = factories.team(district.centre, name="丙团队")
    reader = _pdf(login_as("manager").get(f"/surveys/cards/{team.id}.pdf"))
    text = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert len(reader.pages) == 1 and "丙团队" in text and members["gp"].name in text
