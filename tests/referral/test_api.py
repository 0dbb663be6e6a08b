"""The Referral section of spec/API.md: sending up and down, every transition allowed and
refused, routing to the grid's team, the 14-day schedules, and who sees what."""
from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import func, select

from healthgrid.chronic import services as chronic
from healthgrid.chronic.models import Enrollment
from healthgrid.referral import rules
from healthgrid.referral.models import Referral, ReferralEvent
from tests import factories

from .conftest import DAY, down_payload, patient, up_payload


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


# --- sending up ------------------------------------------------------------------------------

def test_doctor_refers_up_and_gets_the_referral_with_its_history(send_up, district):
    resident = patient(district, name="张三")
    response = send_up(resident)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] and body["status"] == "requested" and body["direction"] == "up"
    assert body["to_institution_id"] == district.hospital.id and body["department"] == "心内科"
    assert body["from_team_id"] == district.teams[0].id
    assert body["initial_impression"] == "高血压急症？" and body["past_history"] == "高血压10年"
    [created] = body["history"]
    assert created["action"] == "create" and created["from"] is None
    assert created["to"] == "requested" and created["by"] and created["at"]


def test_up_referral_needs_its_fields_and_a_hospital(send_up, district, db):
    resident = patient(district)
    before = _count(db, Referral)
    missing = send_up(resident, reason="", to_institution_id=None, urgency="soon")
    assert missing.status_code == 422
    assert {"reason", "to_institution_id", "urgency"} <= set(missing.json["errors"])
    to_centre = send_up(resident, to_institution_id=district.centre.id)
    assert to_centre.status_code == 422 and "to_institution_id" in to_centre.json["errors"]
    assert _count(db, Referral) == before


def test_up_referral_of_a_resident_outside_the_team_is_404(send_up, district, db):
    other = patient(district, grid_index=1)
    assert send_up(other).status_code == 404
    assert _count(db, Referral) == 0


def test_referral_desk_cannot_refer_up(api_as, district, db):
    client, headers = api_as("referral_desk")
    response = client.post("/api/v1/referrals", headers=headers,
                           json=up_payload(district, patient(district)))
    assert response.status_code == 403
    assert _count(db, Referral) == 0


def test_up_referral_may_name_its_follow_up_only_of_the_same_resident(send_up, district):
    resident, other = patient(district), patient(district)
    enrollment = chronic.enroll(other, "hypertension", date(2026, 1, 5))
    visit = chronic.record_followup(enrollment, {"visit_date": date(2026, 2, 1), "sbp": 186,
                                                 "dbp": 102}, None)
    wrong = send_up(resident, followup_id=visit.id)
    assert wrong.status_code == 422 and "followup_id" in wrong.json["errors"]
    assert send_up(other, followup_id=visit.id).json["followup_id"] == visit.id


# --- the 14-day schedules ----------------------------------------------------------------------

@pytest.mark.parametrize("program", ["hypertension", "diabetes"])
def test_up_referral_brings_the_next_follow_up_within_14_days(send_up, district, db, program):
    resident = patient(district)
    enrollment = chronic.enroll(resident, program, date(2025, 12, 1))
    values = {"sbp": 128, "dbp": 78} if program == "hypertension" else {"fpg": 6.1}
    chronic.record_followup(enrollment, {"visit_date": date(2026, 2, 20), **values}, None)
    db.session.flush()
    assert enrollment.next_due_date > DAY + timedelta(days=60)  # controlled: 90 days away
    assert send_up(resident).status_code == 201
    db.session.expire_all()
    refreshed = db.session.get(Enrollment, enrollment.id)
    assert refreshed.next_due_date <= DAY + timedelta(days=14)


def test_down_referral_must_be_visited_within_14_days(send_down, district):
    resident = patient(district)
    body = send_down(resident.id_number).json
    assert body["visit_due_date"] == (DAY + timedelta(days=14)).isoformat()
    assert body["referred_on"] == DAY.isoformat()


# --- routing down ------------------------------------------------------------------------------

def test_down_referral_goes_to_the_team_of_the_residents_grid(send_down, api_as, district):
    resident = patient(district, grid_index=1)
    response = send_down(resident.id_number, patient_name=resident.name)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "requested"
    assert response.json["assigned_team_id"] == district.teams[1].id
    assert response.json["resident_id"] == resident.id
    team_b, headers_b = api_as("doctor", team_index=1)
    assert team_b.get(f"/api/v1/referrals/{response.json['id']}",
                      headers=headers_b).status_code == 200
    team_a, headers_a = api_as("doctor")
    assert team_a.get(f"/api/v1/referrals/{response.json['id']}",
                      headers=headers_a).status_code == 404


def test_unknown_id_number_waits_in_the_queue_until_a_manager_assigns_it(
        send_down, api_as, district):
    unknown = factories.id_number_for(date(1958, 7, 1), "female")
    response = send_down(unknown, patient_name="陈六")
    assert response.status_code == 201
    assert response.json["assigned_team_id"] is None and response.json["resident_id"] is None
    assert response.json["patient_sex"] == "female"  # read from the ID number
    assert response.json["patient_birth_date"] == "1958-07-01"
    referral_id = response.json["id"]
    doctor, doctor_headers = api_as("doctor")
    assert doctor.get(f"/api/v1/referrals/{referral_id}", headers=doctor_headers).status_code == 404

    manager, headers = api_as("manager")
    # The doctor cannot see a referral in the centre's queue, so cannot assign it either:
    # the object check comes first and answers as if it did not exist.
    assert manager.post(f"/api/v1/referrals/{referral_id}/assign", headers=doctor_headers,
                        json={"team_id": district.teams[0].id}).status_code == 404
    assigned = manager.post(f"/api/v1/referrals/{referral_id}/assign", headers=headers,
                            json={"team_id": district.teams[0].id})
    assert assigned.status_code == 200
    assert assigned.json["assigned_team_id"] == district.teams[0].id
    assert assigned.json["history"][-1]["action"] == "assign"
    assert assigned.json["history"][-1]["note"] == district.teams[0].name
    seen = doctor.get(f"/api/v1/referrals/{referral_id}", headers=doctor_headers)
    assert seen.status_code == 200


def test_resident_of_a_grid_without_team_waits_in_the_queue(send_down, district):
    lonely = factories.grid(district.community, name="无团队网格")
    resident = patient(district, grid_index=lonely)
    response = send_down(resident.id_number, patient_name=resident.name)
    assert response.status_code == 201
    assert response.json["assigned_team_id"] is None
    assert response.json["resident_id"] == resident.id


def test_assign_checks_the_team_and_the_referral(api_as, send_down, district):
    referral_id = send_down(factories.id_number_for(date(1950, 1, 1), "male")).json["id"]
    manager, headers = api_as("manager")
    other_centre = factories.institution(name="另一中心")
    foreign, _ = factories.team(other_centre)
    wrong = manager.post(f"/api/v1/referrals/{referral_id}/assign", headers=headers,
                         json={"team_id": foreign.id})
    assert wrong.status_code == 422 and "team_id" in wrong.json["errors"]
    missing = manager.post(f"/api/v1/referrals/{referral_id}/assign", headers=headers,
                           json={"team_id": 999999})
    assert missing.status_code == 422


def test_down_referral_validates_the_id_number_and_the_centre(send_down, district, db):
    bad = send_down("110105196004121234")
    assert bad.status_code == 422 and "id_number" in bad.json["errors"]
    to_hospital = send_down(factories.id_number_for(date(1950, 1, 1), "male"),
                            to_institution_id=district.hospital.id)
    assert to_hospital.status_code == 422 and "to_institution_id" in to_hospital.json["errors"]
    assert _count(db, Referral) == 0


def test_doctors_and_managers_cannot_send_down(api_as, district, db):
    for role in ("doctor", "manager"):
        client, headers = api_as(role)
        response = client.post("/api/v1/referrals", headers=headers, json=down_payload(
            district, factories.id_number_for(date(1950, 1, 1), "male")))
        assert response.status_code == 403, role
    assert _count(db, Referral) == 0


def test_referral_desk_sends_only_from_its_own_hospital(send_down, district):
    other = factories.institution(kind="hospital", name="市第一医院")
    response = send_down(factories.id_number_for(date(1950, 1, 1), "male"),
                         from_institution_id=other.id)
    assert response.status_code == 403


# --- every transition, allowed and refused -----------------------------------------------------

def _referral_in(status, direction, district, send_up, send_down, db):
    resident = patient(district)
    response = send_up(resident) if direction == "up" else send_down(resident.id_number)
    assert response.status_code == 201, response.json
    referral = db.session.get(Referral, response.json["id"])
    referral.status = status  # the state under test, set directly
    db.session.commit()
    return referral


@pytest.fixture
def sides(api_as, district):
    """(client, headers) of each side, per direction."""
    doctor = api_as("doctor")
    desk = api_as("referral_desk")
    return {"up": {"sending": doctor, "receiving": desk},
            "down": {"sending": desk, "receiving": doctor}}


def _history(db, referral_id):
    return db.session.scalars(select(ReferralEvent.action).where(
        ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id)).all()


@pytest.mark.parametrize("direction,status,action", list(product(
    rules.DIRECTIONS, rules.STATUSES, rules.ACTIONS)))
def test_every_transition_through_the_api(direction, status, action, district, send_up,
                                          send_down, sides, db):
    referral = _referral_in(status, direction, district, send_up, send_down, db)
    before = _history(db, referral.id)
    allowed = rules.TRANSITIONS.get((status, action))
    side = allowed[1] if allowed else ("sending" if action == "cancel" else "receiving")
    client, headers = sides[direction][side]
    response = client.post(f"/api/v1/referrals/{referral.id}/transitions", headers=headers,
                           json={"action": action, "note": "说明"})
    db.session.expire_all()
    after = db.session.get(Referral, referral.id)
    if allowed:
        assert response.status_code == 200, response.json
        assert response.json["id"] == referral.id and response.json["status"] == allowed[0]
        assert after.status == allowed[0]
        last = response.json["history"][-1]
        assert (last["from"], last["to"], last["action"], last["note"]) == (
            status, allowed[0], action, "说明")
        assert last["by"] == client.user.username and last["at"]
        assert _history(db, referral.id) == before + [action]
    else:
        assert response.status_code == 409, response.json
        assert response.json["message"] and "action" in response.json["errors"]
        assert after.status == status
        assert _history(db, referral.id) == before


@pytest.mark.parametrize("direction,key", list(product(rules.DIRECTIONS, rules.TRANSITIONS)))
def test_the_wrong_side_is_refused_with_403(direction, key, district, send_up, send_down,
                                            sides, db):
    status, action = key
    referral = _referral_in(status, direction, district, send_up, send_down, db)
    before = _history(db, referral.id)
    right_side = rules.TRANSITIONS[key][1]
    wrong = "sending" if right_side == "receiving" else "receiving"
    client, headers = sides[direction][wrong]
    response = client.post(f"/api/v1/referrals/{referral.id}/transitions", headers=headers,
                           json={"action": action, "note": "说明"})
    assert response.status_code == 403, response.json
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == status
    assert _history(db, referral.id) == before


def test_reject_needs_a_reason(district, send_up, sides, db):
    referral_id = send_up(patient(district)).json["id"]
    client, headers = sides["up"]["receiving"]
    url = f"/api/v1/referrals/{referral_id}/transitions"
    for note in (None, "", "   "):
        payload = {"action": "reject"} if note is None else {"action": "reject", "note": note}
        response = client.post(url, headers=headers, json=payload)
        assert response.status_code == 422 and "note" in response.json["errors"], note
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).status == "requested"
    rejected = client.post(url, headers=headers, json={"action": "reject", "note": "本院无床位"})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert rejected.json["history"][-1]["note"] == "本院无床位"


def test_unknown_action_is_422(district, send_up, sides):
    referral_id = send_up(patient(district)).json["id"]
    client, headers = sides["up"]["receiving"]
    response = client.post(f"/api/v1/referrals/{referral_id}/transitions", headers=headers,
                           json={"action": "discharge"})
    assert response.status_code == 422 and "action" in response.json["errors"]


def test_the_whole_way_up_with_feedback(district, send_up, sides, api_as):
    referral_id = send_up(patient(district)).json["id"]
    desk, desk_headers = sides["up"]["receiving"]
    url = f"/api/v1/referrals/{referral_id}/transitions"
    for action, note in (("accept", None), ("arrive", "患者已到心内科门诊"),
                         ("complete", "冠脉造影未见狭窄，调整降压药，2周后社区随访")):
        payload = {"action": action} if note is None else {"action": action, "note": note}
        assert desk.post(url, headers=desk_headers, json=payload).status_code == 200
    doctor, headers = sides["up"]["sending"]
    body = doctor.get(f"/api/v1/referrals/{referral_id}", headers=headers).json
    assert body["status"] == "completed"
    assert body["feedback"] == "冠脉造影未见狭窄，调整降压药，2周后社区随访"
    assert [h["action"] for h in body["history"]] == ["create", "accept", "arrive", "complete"]
    assert [h["to"] for h in body["history"]] == ["requested", "accepted", "arrived",
                                                  "completed"]


def test_team_marks_a_down_referral_visited(district, send_down, sides, db):
    resident = patient(district)
    referral_id = send_down(resident.id_number).json["id"]
    doctor, headers = sides["down"]["receiving"]
    url = f"/api/v1/referrals/{referral_id}/transitions"
    assert doctor.post(url, headers=headers, json={"action": "accept"}).status_code == 200
    arrived = doctor.post(url, headers=headers, json={"action": "arrive", "note": "已入户访视"})
    assert arrived.status_code == 200 and arrived.json["visited_on"] == DAY.isoformat()


# --- scope -------------------------------------------------------------------------------------

def test_referral_desk_never_reads_archives(api_as, district, send_up):
    resident = patient(district)
    referral_id = send_up(resident).json["id"]
    desk, headers = api_as("referral_desk")
    assert desk.get(f"/api/v1/residents/{resident.id}", headers=headers).status_code == 403
    assert desk.get("/api/v1/residents", headers=headers).status_code == 403
    assert desk.get(f"/api/v1/residents/{resident.id}/enrollments",
                    headers=headers).status_code == 403
    body = desk.get(f"/api/v1/referrals/{referral_id}", headers=headers).json
    # Only what the referral needs: the ID number masked, nothing of the archive.
    assert body["id_number"] == resident.id_number[:6] + "********" + resident.id_number[-4:]
    assert body["patient_name"] == resident.name and body["patient_age"] == 65
    for archive_field in ("phone", "address", "archive_no", "household_id", "allergies",
                          "family_history", "grid_id"):
        assert archive_field not in body


def test_referral_desk_never_sees_another_hospitals_referrals(api_as, district, send_up):
    referral_id = send_up(patient(district)).json["id"]
    other = factories.institution(kind="hospital", name="市第一医院")
    desk = factories.user("referral_desk", institution_id=other.id)
    client, headers = api_as(desk)
    assert client.get(f"/api/v1/referrals/{referral_id}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/referrals/{referral_id}/transitions", headers=headers,
                           json={"action": "accept"})
    assert response.status_code == 404
    assert client.get("/api/v1/referrals", headers=headers).json["total"] == 0


def test_doctor_never_sees_another_teams_referrals(api_as, district, send_up, send_down, db):
    up_id = send_up(patient(district)).json["id"]
    down_id = send_down(patient(district).id_number).json["id"]
    other, headers = api_as("doctor", team_index=1)
    for referral_id in (up_id, down_id):
        assert other.get(f"/api/v1/referrals/{referral_id}", headers=headers).status_code == 404
        response = other.post(f"/api/v1/referrals/{referral_id}/transitions", headers=headers,
                              json={"action": "cancel"})
        assert response.status_code == 404
    assert other.get("/api/v1/referrals", headers=headers).json["total"] == 0
    db.session.expire_all()
    assert db.session.get(Referral, up_id).status == "requested"


def test_list_filters_by_status_and_direction(api_as, district, send_up, send_down):
    up_id = send_up(patient(district)).json["id"]
    down_id = send_down(patient(district).id_number).json["id"]
    doctor, headers = api_as("doctor")
    everything = doctor.get("/api/v1/referrals", headers=headers).json
    assert {i["id"] for i in everything["items"]} == {up_id, down_id}
    ups = doctor.get("/api/v1/referrals?direction=up", headers=headers).json
    assert [i["id"] for i in ups["items"]] == [up_id] and ups["total"] == 1
    none = doctor.get("/api/v1/referrals?status=completed", headers=headers).json
    assert none["items"] == [] and none["total"] == 0
    assert doctor.get("/api/v1/referrals?status=lost", headers=headers).status_code == 422


def test_down_referral_needs_the_patients_name(send_down, district, db):
    payload_without_name = {"patient_name": None}
    response = send_down(factories.id_number_for(date(1950, 1, 1), "male"),
                         **payload_without_name)
    assert response.status_code == 422 and "patient_name" in response.json["errors"]
    assert _count(db, Referral) == 0


def test_up_referral_needs_no_patient_name_but_a_resident(api_as, district):
    client, headers = api_as("doctor")
    payload = up_payload(district, patient(district))
    del payload["resident_id"]
    response = client.post("/api/v1/referrals", headers=headers, json=payload)
    assert response.status_code == 422 and "resident_id" in response.json["errors"]
