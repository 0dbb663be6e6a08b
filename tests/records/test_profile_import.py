"""The personal basic information columns of the Excel template: imported by label or
code, several choices separated by 、, a bad one reported with its row and column, and
exported back as labels."""
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from healthgrid.records.models import Resident
from tests.records.test_imports import ADMIN, resident_rows, run_import, xlsx


def test_profile_columns_import_by_label_and_several_choices(district, db):
    rows = resident_rows(district, households=1, members=2)
    rows[0] |= {"workplace": "区粮食局", "contact_name": "张丽", "contact_phone": "13700001234",
                "education": "大学本科", "occupation": "clerk", "marital_status": "已婚",
                "rh": "Rh 阴性", "drug_allergies": "青霉素、其他", "exposures": "无",
                "payment_types": "城镇职工基本医疗保险，商业医疗保险", "kitchen": "油烟机",
                "fuel": "天然气", "water": "自来水", "toilet": "卫生厕所", "livestock": "无",
                "disabilities": "视力残疾", "hereditary": "无"}
    report = run_import(xlsx(rows))
    assert report.ok, report.errors
    first, second = db.session.scalars(select(Resident).order_by(Resident.archive_no)).all()
    assert (first.workplace, first.education, first.occupation, first.marital_status,
            first.rh, first.drug_allergies, first.exposures, first.payment_types,
            first.kitchen, first.disabilities) == (
        "区粮食局", "bachelor", "clerk", "married", "negative", "penicillin,other", "none",
        "employee_insurance,commercial", "range_hood", "visual")
    assert second.education is None and second.drug_allergies is None   # not recorded


def test_a_bad_choice_is_reported_with_row_and_column(district, db):
    rows = resident_rows(district, households=1, members=3)
    rows[1] |= {"drug_allergies": "青霉素、花粉"}
    rows[2] |= {"education": "博士后", "exposures": "无、射线"}
    report = run_import(xlsx(rows))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(4, "drug_allergies"), (5, "education"), (5, "exposures")}
    assert db.session.scalar(select(Resident).limit(1)) is None


def test_export_writes_the_profile_as_labels(login_as, district, db):
    rows = resident_rows(district, households=1, members=1)
    rows[0] |= {"education": "bachelor", "drug_allergies": "penicillin,sulfonamides"}
    assert run_import(xlsx(rows)).ok
    db.session.commit()
    doctor = login_as("manager")
    sheet = load_workbook(BytesIO(doctor.get("/records/export.xlsx").data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]]))
    assert values["文化程度"] == "大学本科" and values["药物过敏（选项）"] == "青霉素、磺胺"
