"""Referral fixtures: a pinned day, patients in the district's grids, referrals sent through
the API as the two sides would send them."""
from datetime import date

import pytest

from tests import factories
from tests.helpers import today_is

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def pinned_today():
    with today_is(DAY):
        yield DAY


def patient(district, grid_index=0, **kw):
    kw.setdefault("birth_date", date(1960, 4, 12))
    kw.setdefault("phone", "13912345678")
    grid = district.grids[grid_index] if isinstance(grid_index, int) else grid_index
    return factories.resident(factories.household(grid, address="幸福里8号楼302"), **kw)


def up_payload(district, resident, **kw):
    return {"direction": "up", "urgency": "urgent", "resident_id": resident.id,
            "to_institution_id": district.hospital.id, "department": "心内科",
            "reason": "血压 186/102 mmHg，伴胸痛", "initial_impression": "高血压急症？",
            "past_history": "高血压10年", "treatment": "氨氯地平 5mg qd",
            "contact_doctor": "李医生", "contact_phone": "13800001111", **kw}


def down_payload(district, id_number, **kw):
    return {"direction": "down", "urgency": "routine", "id_number": id_number,
            "patient_name": "王五", "to_institution_id": district.centre.id,
            "reason": "病情稳定，转回社区康复", "diagnosis": "急性心肌梗死 PCI 术后",
            "inpatient_no": "ZY2026-0001", "key_results": "肌钙蛋白恢复正常",
            "treatment": "PCI 术，双抗治疗", "treatment_advice": "阿司匹林 100mg qd",
            "rehab_advice": "心脏康复，低盐饮食", "contact_doctor": "赵医生",
            "contact_phone": "010-66668888", **kw}


@pytest.fixture
def send_up(api_as, district):
    """send_up(resident, **fields) → the API's answer to a doctor of team A referring up."""
    client, headers = api_as("doctor")

    def _send(resident, **kw):
        return client.post("/api/v1/referrals", headers=headers,
                           json=up_payload(district, resident, **kw))
    return _send


@pytest.fixture
def send_down(api_as, district):
    """send_down(id_number, **fields) → the API's answer to the hospital's referral desk."""
    client, headers = api_as("referral_desk")

    def _send(id_number, **kw):
        return client.post("/api/v1/referrals", headers=headers,
                           json=down_payload(district, id_number, **kw))
    return _send
