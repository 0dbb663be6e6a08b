"""The printed two-way referral form (双向转诊单): a PDF in Chinese, stub and form, up or
return version, every field in its place; printing is audited."""
import re
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from healthgrid.auth.models import AuditEntry
from tests import factories

from .conftest import patient


def _text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 1  # stub and form on one A4 sheet
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_up_form_carries_every_field(login_as, district, send_up, db):
    resident = patient(district, name="张三")
    referral_id = send_up(resident).json["id"]
    text = _text(login_as("referral_desk").get(f"/referrals/{referral_id}/form.pdf"))
    assert "双向转诊单" in text and "双向转诊（转出）单·存根" in text
    assert "双向转诊（转出）单" in text and "沿虚线剪开" in text
    for caption in ("患者姓名", "性别", "年龄", "档案编号", "家庭住址", "联系电话",
                    "因病情需要，转入", "科室", "初步印象", "主要现病史（转出原因）",
                    "主要既往史", "治疗经过", "转诊医生（签字）", "（机构名称）", "日期"):
        assert caption in text, caption
    for value in ("张三", "男", "65", resident.archive_no, "幸福里8号楼302", "13912345678",
                  "区人民医院", "测试社区卫生服务中心", "心内科", "高血压急症？",
                  "血压186/102mmHg，伴胸痛", "高血压10年", "氨氯地平5mgqd", "李医生",
                  "13800001111", "2026年3月2日", "紧急"):
        assert value in text, value


def test_return_form_carries_every_field(login_as, district, send_down):
    resident = patient(district, name="王五")
    referral_id = send_down(resident.id_number, patient_name="王五").json["id"]
    text = _text(login_as("doctor").get(f"/referrals/{referral_id}/form.pdf"))
    assert "双向转诊单" in text and "双向转诊（回转）单·存根" in text
    assert "双向转诊（回转）单" in text and "现转回贵单位" in text
    for caption in ("诊断结果", "住院病案号", "主要检查结果", "治疗经过", "下一步治疗方案",
                    "康复建议", "转诊医生（签字）", "联系电话"):
        assert caption in text, caption
    for value in ("王五", "区人民医院", "测试社区卫生服务中心", "甲团队", "急性心肌梗死PCI术后",
                  "ZY2026-0001", "肌钙蛋白恢复正常", "PCI术，双抗治疗", "阿司匹林100mgqd",
                  "心脏康复，低盐饮食", "赵医生", "010-66668888", "2026-03-16",
                  "幸福里8号楼302"):
        assert value in text, value


def test_hospital_print_of_a_down_referral_shows_nothing_of_the_archive(login_as, district,
                                                                       send_down):
    resident = patient(district, name="王五")
    referral_id = send_down(resident.id_number, patient_name="王五").json["id"]
    text = _text(login_as("referral_desk").get(f"/referrals/{referral_id}/form.pdf"))
    assert "王五" in text and "ZY2026-0001" in text
    assert "幸福里8号楼302" not in text and "13912345678" not in text


def test_printing_is_audited_and_scoped(login_as, district, send_up, db):
    referral_id = send_up(patient(district)).json["id"]
    assert login_as("doctor").get(f"/referrals/{referral_id}/form.pdf").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral.print"))
    assert entry is not None and entry.object_id == referral_id
    other = factories.institution(kind="hospital", name="市第一医院")
    desk = login_as(factories.user("referral_desk", institution_id=other.id))
    assert desk.get(f"/referrals/{referral_id}/form.pdf").status_code == 404


def test_form_is_in_chinese_even_for_an_english_interface(login_as, district, send_up):
    referral_id = send_up(patient(district)).json["id"]
    client = login_as("doctor")
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert "Referral" in client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    text = _text(client.get(f"/referrals/{referral_id}/form.pdf"))
    assert "双向转诊单" in text and "男" in text and "紧急" in text
