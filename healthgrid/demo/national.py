"""The national forms' fields for the demo: lifestyle and regimens of chronic patients,
the annual check's findings, the residents' basic information. A generator of its own
(seeded per step), so the other steps' data stay as they were."""
from __future__ import annotations

import json
from random import Random

# Usual first-line drugs: (name, times a day, dose, unit).
HTN_MEDICINES = (("氨氯地平片", 1, 5, "mg"), ("硝苯地平控释片", 1, 30, "mg"),
                 ("缬沙坦胶囊", 1, 80, "mg"), ("厄贝沙坦片", 1, 150, "mg"),
                 ("美托洛尔缓释片", 1, 47.5, "mg"), ("氢氯噻嗪片", 1, 12.5, "mg"),
                 ("培哚普利片", 1, 4, "mg"), ("替米沙坦片", 1, 40, "mg"))
DM_MEDICINES = (("二甲双胍片", 3, 0.5, "g"), ("格列美脲片", 1, 2, "mg"),
                ("阿卡波糖片", 3, 50, "mg"), ("西格列汀片", 1, 100, "mg"),
                ("达格列净片", 1, 10, "mg"), ("格列齐特缓释片", 1, 60, "mg"))
INSULINS = (("甘精胰岛素", "睡前皮下注射 {} 单位"), ("门冬胰岛素30", "早晚餐前皮下注射各 {} 单位"),
            ("地特胰岛素", "睡前皮下注射 {} 单位"))
EXAM_NOTES = ("心电图：窦性心律", "血脂：总胆固醇 5.6 mmol/L", "尿常规未见异常", None, None, None)


class Habits:
    """A chronic patient's lasting traits, drawn once per enrollment."""
    __slots__ = ("cigarettes", "alcohol", "exercise", "minutes", "salt", "staple",
                 "psychology", "compliance", "weight_target", "medicines", "insulin",
                 "hba1c_base")

    def __init__(self, rng: Random, program: str, male: bool, height: float):
        random = rng.random
        smokes = random() < (0.45 if male else 0.03)
        self.cigarettes = (5 + int(random() * 20)) if smokes else 0
        drinks = random() < (0.35 if male else 0.05)
        self.alcohol = round(0.5 + random() * 3, 1) if drinks else 0.0
        self.exercise = int(random() * 8)
        self.minutes = (15 + int(random() * 4) * 15) if self.exercise else 0
        self.salt = rng.choice(("light", "moderate", "moderate", "heavy"))
        self.staple = 250 + int(random() * 9) * 25
        self.psychology = "good" if random() < 0.8 else "fair"
        self.compliance = "good" if random() < 0.75 else rng.choice(("fair", "poor"))
        self.weight_target = round((height / 100) ** 2 * 23.5, 1)
        pool = HTN_MEDICINES if program == "hypertension" else DM_MEDICINES
        self.medicines = rng.sample(pool, 1 if random() < 0.6 else 2)
        self.insulin = None
        if program == "diabetes" and random() < 0.15:
            kind, usage = rng.choice(INSULINS)
            self.insulin = (kind, usage.format(8 + int(random() * 12)))
        self.hba1c_base = 6.5 + random() * 2.5   # diabetics: 6.5–9 %


def visit_fields(rng: Random, habits: Habits, program: str, ordinal_day, fpg) -> tuple:
    """The sheet's fields of one visit, in FOLLOWUP_NATIONAL order."""
    random = rng.random
    h = habits
    dm = program == "diabetes"
    hba1c = hba1c_date = hypo = foot = None
    if dm:
        if random() < 0.5:
            hba1c = round(min(20.0, max(4.5, h.hba1c_base + (random() - 0.5))), 1)
            hba1c_date = ordinal_day
        hypo = "none" if random() < 0.85 else "occasional"
        foot = "normal" if random() < 0.9 else rng.choice(("weak_left", "weak_right",
                                                            "weak_both"))
    return (h.weight_target, h.cigarettes, max(0, h.cigarettes // 2) if h.cigarettes else 0,
            h.alcohol, min(h.alcohol, 1.0), h.exercise, h.minutes, max(h.exercise, 5),
            max(h.minutes, 30), None if dm else h.salt, None if dm else "light",
            h.staple if dm else None, min(h.staple, 300) if dm else None, h.psychology,
            h.compliance, rng.choice(EXAM_NOTES), hba1c, hba1c_date, hypo, foot,
            h.insulin[0] if dm and h.insulin else None,
            h.insulin[1] if dm and h.insulin else None)


FOLLOWUP_NATIONAL = ("weight_target", "cigarettes", "cigarettes_target", "alcohol_liang",
                     "alcohol_liang_target", "exercise_per_week", "exercise_minutes",
                     "exercise_per_week_target", "exercise_minutes_target", "salt",
                     "salt_target", "staple_grams", "staple_grams_target", "psychology",
                     "compliance", "exam_note", "hba1c", "hba1c_date", "hypoglycemia",
                     "foot_pulse", "insulin_kind", "insulin_usage")
MEDICINE_COLUMNS = ("followup_id", "position", "name", "times_per_day", "dose", "unit")


def check_details(rng: Random, male: bool, frail: bool, fpg) -> str:
    """An annual check's findings as the details column stores them (JSON text)."""
    random = rng.random
    smoker = random() < (0.4 if male else 0.03)
    abnormal_lipids = random() < 0.3
    details = {
        "symptoms": ["none"] if random() < 0.6 else rng.sample(
            ("dizziness", "fatigue", "joint_pain", "blurred_vision", "constipation",
             "tinnitus", "chronic_cough"), 1),
        "temperature": round(36.2 + random() * 0.8, 1), "pulse": 60 + int(random() * 30),
        "respiration": 16 + int(random() * 5), "waist": 70 + int(random() * 30),
        "self_health": rng.choice(("satisfied", "fairly", "fairly", "unsure")),
        "cognition": "positive" if frail and random() < 0.3 else "negative",
        "mood": "negative" if random() < 0.92 else "positive",
        "exercise_frequency": rng.choice(("daily", "weekly", "occasionally", "never")),
        "diet": ["balanced"] if random() < 0.6 else ["salty"],
        "smoking": "smoker" if smoker else ("quit" if male and random() < 0.2 else "never"),
        "drinking": "never" if random() < 0.6 else "occasionally",
        "lips": "normal", "dentition": "normal" if random() < 0.5 else "missing",
        "pharynx": "normal", "hearing": "hears" if random() < 0.85 else "unclear",
        "motor": "cannot" if frail else "can",
        "vision_left": round(0.4 + random() * 0.8, 1), "vision_right": round(0.4 + random() * 0.8, 1),
        "skin": "normal", "sclera": "normal", "lymph_nodes": "normal", "barrel_chest": "no",
        "breath_sounds": "normal", "rales": "normal", "rhythm": "regular",
        "murmur": "normal", "leg_edema": "none" if random() < 0.92 else "both",
        "hemoglobin": 110 + int(random() * 50), "wbc": round(4 + random() * 5, 1),
        "platelets": 120 + int(random() * 200), "urine_protein": "negative",
        "urine_glucose": "negative" if fpg is None or fpg < 8 else "1",
        "ecg": "normal" if random() < 0.75 else "abnormal",
        "alt": 10 + int(random() * 40), "ast": 12 + int(random() * 30),
        "creatinine": 50 + int(random() * 60),
        "cholesterol": round((5.3 if abnormal_lipids else 3.8) + random() * 1.5, 2),
        "triglycerides": round(0.8 + random() * (2.0 if abnormal_lipids else 1.0), 2),
        "ldl": round(2.0 + random() * 1.8, 2), "hdl": round(0.9 + random() * 0.8, 2),
        "evaluation": "abnormal" if abnormal_lipids else "normal",
        "guidance_codes": ["recheck"] if abnormal_lipids else [],
        "risk_control": ["quit_smoking"] if smoker else ["exercise"],
    }
    if details["ecg"] == "abnormal":
        details["ecg_detail"] = "ST-T 改变"
    if abnormal_lipids:
        details["evaluation_detail"] = "血脂异常"
    return json.dumps({k: v for k, v in details.items() if v not in ([], None)},
                      ensure_ascii=False)


# Resident basic information: (code, weight) tables.
EDUCATION = (("junior_high", 30), ("primary", 22), ("senior_high", 16), ("college", 9),
             ("bachelor", 9), ("technical_secondary", 6), ("illiterate", 6),
             ("postgraduate", 1), ("unknown", 1))
OCCUPATION = (("agriculture", 22), ("production", 18), ("commerce_service", 16),
              ("professional", 9), ("clerk", 7), ("leader", 2), ("unclassified", 10),
              ("no_occupation", 16))
KITCHEN = (("range_hood", 70), ("exhaust_fan", 15), ("chimney", 10), ("none", 5))
FUEL = (("natural_gas", 55), ("lpg", 30), ("coal", 5), ("biogas", 3), ("firewood", 7))
WATER = (("tap", 88), ("purified", 7), ("well", 5))
TOILET = (("sanitary", 60), ("flush", 30), ("septic", 8), ("simple_shed", 2))
LIVESTOCK = (("none", 85), ("separate", 10), ("outdoors", 5))


def _pick(rng: Random, table) -> str:
    total = sum(w for _c, w in table)
    roll = rng.random() * total
    for code, weight in table:
        if roll < weight:
            return code
        roll -= weight
    return table[-1][0]


def profile_fields(rng: Random, age: int, allergy_text: str | None, payment: str | None) -> dict:
    """A resident's basic information choices."""
    random = rng.random
    adult = age >= 18
    return {
        "rh": "positive" if random() < 0.95 else ("unknown" if random() < 0.8 else "negative"),
        "education": _pick(rng, EDUCATION) if age >= 7 else None,
        "occupation": (_pick(rng, OCCUPATION) if age < 60 else "no_occupation") if adult else None,
        "marital_status": (("married" if random() < 0.82 else rng.choice(
            ("unmarried", "widowed", "divorced"))) if age >= 22 else "unmarried") if adult else None,
        "payment_types": payment,
        "drug_allergies": ("other" if allergy_text else ("none" if random() < 0.85 else None)),
        "exposures": "none" if random() < 0.9 else None,
        "kitchen": _pick(rng, KITCHEN), "fuel": _pick(rng, FUEL), "water": _pick(rng, WATER),
        "toilet": _pick(rng, TOILET), "livestock": _pick(rng, LIVESTOCK),
    }
