"""The national follow-up sheet on a phone: a second hypertension visit where only the
blood pressure is typed keeps the regimen, height and targets of the first; a diabetes
visit with HbA1c, insulin and hypoglycaemia; the result page shows every field."""
from __future__ import annotations

import random

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot


def _api_resident(page, street: str, name: str, sex: str, birth_date: str):
    """A new resident of the doctor's first grid, made through the API (the browser part is
    what follows); (resident, API headers)."""
    api = page.request
    token = api.post("/api/v1/auth/token",
                     data={"username": "doctor", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    grid = api.get("/api/v1/grids", headers=headers).json()[0]
    household = api.post("/api/v1/households", headers=headers, data={
        "grid_id": grid["id"], "address": f"{street}{random.randrange(10**6)}号"}).json()
    resident = api.post("/api/v1/residents", headers=headers, data={
        "household_id": household["id"], "name": name, "sex": sex,
        "birth_date": birth_date}).json()
    return resident, headers


def _api_patient(page, program: str, sex: str = "male") -> tuple[int, int]:
    """A new resident enrolled in `program`."""
    resident, headers = _api_resident(page, "随访路", "随访测试", sex, "1958-04-12")
    enrollment = page.request.post(
        f"/api/v1/residents/{resident['id']}/enrollments", headers=headers,
        data={"program": program, "enrolled_on": "2026-01-05"}).json()
    return resident["id"], enrollment["id"]


def _open_form(page, resident_id: int):
    page.goto(f"/records/residents/{resident_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="录入随访").first.click()
    return page.locator("#followup-form")


def _save(page, form):
    with page.expect_navigation():
        form.get_by_role("button", name="保存并评估").click()
    expect(page.locator("#followup-result")).to_be_visible()


def test_second_hypertension_visit_carries_the_regimen_forward(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    resident_id, _enrollment = _api_patient(page, "hypertension")

    form = _open_form(page, resident_id)
    form.locator("#f-visit_date").fill("2026-02-02")
    form.locator("#f-sbp").fill("152")
    form.locator("#f-dbp").fill("94")
    form.locator("#f-weight").fill("74")
    form.locator("#f-weight_target").fill("70")
    form.locator("#f-height").fill("170")
    form.locator("#f-heart_rate").fill("78")
    form.locator("#f-cigarettes").fill("10")
    form.locator("#f-cigarettes_target").fill("5")
    form.locator("#f-alcohol_liang").fill("2")
    form.locator("#f-alcohol_liang_target").fill("1")
    form.locator("#f-exercise_per_week").fill("2")
    form.locator("#f-exercise_minutes").fill("20")
    form.locator("#f-exercise_per_week_target").fill("5")
    form.locator("#f-exercise_minutes_target").fill("30")
    form.locator("#f-salt").select_option("heavy")
    form.locator("#f-salt_target").select_option("light")
    form.locator("#f-psychology").select_option("fair")
    form.locator("#f-compliance").select_option("good")
    form.locator("input[name=symptoms][value=headache_dizziness]").check()
    form.locator("#f-medication_adherence").select_option("regular")
    form.locator("#f-med_name_0").fill("氨氯地平")
    form.locator("#f-med_times_per_day_0").fill("1")
    form.locator("#f-med_dose_0").fill("5")
    form.locator("#f-med_unit_0").fill("mg")
    form.locator("#f-med_name_1").fill("缬沙坦")
    form.locator("#f-med_times_per_day_1").fill("1")
    form.locator("#f-med_dose_1").fill("80")
    form.locator("#f-med_unit_1").fill("mg")
    _save(page, form)

    # The second visit: the context sits above the form, and only the BP is typed.
    form = _open_form(page, resident_id)
    expect(page.locator("#last-readings")).to_contain_text("152/94")
    expect(page.locator("#current-medicines")).to_contain_text("氨氯地平")
    expect(page.locator("#days-since")).to_be_visible()
    expect(form.locator("#f-med_name_0")).to_have_value("氨氯地平")
    expect(form.locator("#f-med_dose_1")).to_have_value("80")
    expect(form.locator("#f-height")).to_have_value("170")
    expect(form.locator("#f-weight_target")).to_have_value("70")
    expect(form.locator("#f-cigarettes_target")).to_have_value("5")
    expect(form.locator("#f-salt_target")).to_have_value("light")
    expect(form.locator("input[name=pregnant_or_lactating]")).to_have_count(0)  # a man of 67
    expect(form.locator("input[name=symptoms][value=ketone_breath]")).to_have_count(0)
    shot(page, "followup-form-second-visit-phone")
    form.locator("#f-visit_date").fill("2026-03-02")
    form.locator("#f-sbp").fill("136")
    form.locator("#f-dbp").fill("84")
    _save(page, form)

    fields = page.locator("#visit-fields")
    expect(page.locator("#classification")).to_have_text("控制满意")
    expect(fields.locator("#v-bp")).to_contain_text("136/84")
    expect(fields.locator("#v-medicines")).to_contain_text("氨氯地平")
    expect(fields.locator("#v-medicines")).to_contain_text("80mg")
    expect(fields.locator("#v-height")).to_contain_text("170")
    expect(fields.locator("#v-weight")).to_contain_text("70")      # the target came along
    expect(fields.locator("#v-cigarettes")).to_contain_text("5")
    expect(fields.locator("#v-salt")).to_contain_text("轻")
    expect(fields.locator("#v-recorded-by")).not_to_contain_text("未记录")
    for name in ("体重 本次 / 目标", "体质指数 本次 / 目标", "心率", "日吸烟量（支） 本次 / 目标",
                 "日饮酒量（两） 本次 / 目标", "运动 本次 / 目标", "摄盐情况 本次 / 目标",
                 "心理调整", "遵医行为", "服药依从性", "用药情况", "随访医生"):
        expect(fields).to_contain_text(name)
    shot(page, "followup-result-phone")


def test_diabetes_visit_with_hba1c_insulin_and_hypoglycaemia(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    resident_id, _enrollment = _api_patient(page, "diabetes", sex="female")
    form = _open_form(page, resident_id)
    expect(form.locator("input[name=symptoms][value=polydipsia]")).to_have_count(1)
    expect(form.locator("#f-salt")).to_have_count(0)
    form.locator("#f-visit_date").fill("2026-02-02")
    form.locator("#f-fpg").fill("8.2")
    form.locator("#f-hba1c").fill("7.6")
    form.locator("#f-hba1c_date").fill("2026-01-28")
    form.locator("#f-foot_pulse").select_option("weak_left")
    form.locator("#f-hypoglycemia").select_option("occasional")
    form.locator("#f-staple_grams").fill("350")
    form.locator("#f-staple_grams_target").fill("300")
    form.locator("#f-med_name_0").fill("二甲双胍")
    form.locator("#f-med_times_per_day_0").fill("2")
    form.locator("#f-med_dose_0").fill("500")
    form.locator("#f-med_unit_0").fill("mg")
    form.locator("#f-insulin_kind").fill("甘精胰岛素")
    form.locator("#f-insulin_usage").fill("睡前 12 单位")
    shot(page, "followup-form-diabetes-phone")
    _save(page, form)
    fields = page.locator("#visit-fields")
    expect(fields.locator("#v-hba1c")).to_contain_text("7.6")
    expect(fields.locator("#v-insulin")).to_contain_text("甘精胰岛素")
    expect(fields.locator("#v-hypoglycemia")).to_have_text("偶尔")
    expect(fields.locator("#v-foot-pulse")).to_contain_text("左侧")
    expect(fields.locator("#v-staple")).to_contain_text("350")

    # A HbA1c out of bounds: the field says why and nothing is saved.
    form = _open_form(page, resident_id)
    expect(form.locator("#f-insulin_kind")).to_have_value("甘精胰岛素")   # carried forward
    form.locator("#f-visit_date").fill("2026-03-02")
    form.locator("#f-fpg").fill("7.9")
    form.locator("#f-hba1c").fill("25")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并评估").click()
    expect(page.locator("#e-hba1c")).to_contain_text("3–20")


def test_doctor_fills_the_personal_basic_information_on_a_phone(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    resident_id, _enrollment = _api_patient(page, "hypertension")
    page.goto(f"/records/residents/{resident_id}")
    profile = page.locator("#profile")
    expect(profile).to_contain_text("未记录")
    expect(profile.locator("#p-allergies")).to_have_text("未记录")     # blank is not 无
    with page.expect_navigation():
        page.locator("#edit-profile").click()
    form = page.locator("#profile-form")
    form.locator("#f-workplace").fill("区粮食局")
    form.locator("#f-education").select_option("junior_high")
    form.locator("input[name=drug_allergies][value=none]").check()
    form.locator("#f-disease_code_0").select_option("hypertension")
    form.locator("#f-disease_month_0").fill("2015-06")
    form.locator("input[name=operations_none]").check()
    form.locator("input[name=family_father][value=stroke]").check()
    form.locator("#f-kitchen").select_option("range_hood")
    shot(page, "profile-form-phone")
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()
    expect(profile.locator("#p-allergies")).to_have_text("无")          # chosen: none
    expect(profile.locator("#p-diseases")).to_contain_text("高血压 · 2015-06")
    expect(profile.locator("#p-family")).to_contain_text("父亲：脑卒中")
    shot(page, "archive-profile-phone")


def test_annual_check_flags_screening_and_enrolls_from_the_flag(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    # 65+: in the elderly program at once
    resident, _headers = _api_resident(page, "体检路", "体检测试", "female", "1950-02-03")
    page.goto(f"/records/residents/{resident['id']}")
    with page.expect_navigation():
        page.get_by_role("link", name="录入年度体检").first.click()
    form = page.locator("#check-form")
    # Self-care items offered with the national level names and their points.
    expect(form.locator("#f-selfcare_toileting option[value='2']")).to_have_text("中度依赖 · 5 分")
    form.locator("#f-sbp").fill("156")
    form.locator("#f-dbp").fill("92")
    form.locator("#f-fpg").fill("7.6")
    for item, level in (("eating", "0"), ("washing", "1"), ("dressing", "0"),
                        ("toileting", "2"), ("mobility", "1")):
        form.locator(f"#f-selfcare_{item}").select_option(level)
    form.locator("input[name=symptoms][value=dizziness]").check()
    form.locator("#f-temperature").fill("36.5")
    form.locator("#f-cognition").select_option("negative")
    form.locator("#section-tests summary").click()
    form.locator("#f-hba1c").fill("6.9")
    form.locator("#f-cholesterol").fill("5.8")
    form.locator("#section-medicines summary").click()
    form.locator("#f-med_name_0").fill("阿司匹林")
    form.locator("#f-med_dose_0").fill("100mg")
    shot(page, "check-form-phone")
    with page.expect_navigation():
        form.get_by_role("button", name="保存体检").click()
    result = page.locator("#check-result")
    expect(result.locator("#selfcare-toileting")).to_have_text("中度依赖 · 5 分")
    expect(page.locator("#selfcare-level")).to_have_text("轻度依赖")       # 0+1+0+5+1 = 7
    expect(result.locator("#c-hba1c")).to_contain_text("6.9")
    expect(result.locator("#c-medicines")).to_contain_text("阿司匹林")
    expect(page.locator("#flag-screen_hypertension")).to_be_visible()
    expect(page.locator("#flag-screen_diabetes")).to_be_visible()
    shot(page, "check-result-phone")
    with page.expect_navigation():
        page.locator("#enroll-hypertension button").click()
    programs = page.locator("#programs")
    expect(programs).to_contain_text("高血压患者健康管理")
