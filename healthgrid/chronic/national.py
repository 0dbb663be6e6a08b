"""The national follow-up sheets' fields (FORMS.md §2, §3): code lists, bounds and what a
new visit carries over from the one before. Pure: no Flask, no database."""
from __future__ import annotations

from .rules import DM_URGENT_SYMPTOMS, HTN_URGENT_SYMPTOMS, Bounds

# Each program's own symptom list: the national sheet's items, then the urgent-referral
# signs of RULES.md §3 that the sheet does not name (they decide the referral).
HTN_SHEET_SYMPTOMS = ("none", "headache_dizziness", "vomiting", "blur_tinnitus", "dyspnea",
                      "palpitation", "nosebleed", "numbness", "edema")
DM_SHEET_SYMPTOMS = ("none", "polydipsia", "polyphagia", "polyuria", "blurred_vision",
                     "infection", "numb_hands_feet", "edema", "weight_loss")
# Codes earlier versions of the form offered, still accepted so that old clients work.
_LEGACY = ("dizziness", "headache")
PROGRAM_SYMPTOMS = {
    "hypertension": tuple(dict.fromkeys(HTN_SHEET_SYMPTOMS + HTN_URGENT_SYMPTOMS + _LEGACY
                                        + ("other",))),
    "diabetes": tuple(dict.fromkeys(DM_SHEET_SYMPTOMS + DM_URGENT_SYMPTOMS + _LEGACY
                                    + ("other",))),
}
ALL_SYMPTOMS = tuple(dict.fromkeys(PROGRAM_SYMPTOMS["hypertension"]
                                   + PROGRAM_SYMPTOMS["diabetes"]))
# What the form shows, in the sheet's order (the legacy codes are not offered again).
FORM_SYMPTOMS = {program: tuple(c for c in codes if c not in _LEGACY)
                 for program, codes in PROGRAM_SYMPTOMS.items()}

LEVELS3 = ("good", "fair", "poor")
SALT = ("light", "moderate", "heavy")
HYPOGLYCEMIA = ("none", "occasional", "frequent")
FOOT_PULSE = ("normal", "weak_both", "weak_left", "weak_right", "absent_both", "absent_left",
              "absent_right")
ADHERENCE = ("regular", "intermittent", "none")

# Bounds of the sheet's numbers (inclusive); a value outside is refused with the range.
BOUNDS = {
    "weight_target": Bounds(2, 400),
    "cigarettes": Bounds(0, 100), "cigarettes_target": Bounds(0, 100),
    "alcohol_liang": Bounds(0, 50), "alcohol_liang_target": Bounds(0, 50),
    "exercise_per_week": Bounds(0, 21), "exercise_per_week_target": Bounds(0, 21),
    "exercise_minutes": Bounds(0, 600), "exercise_minutes_target": Bounds(0, 600),
    "staple_grams": Bounds(0, 2000), "staple_grams_target": Bounds(0, 2000),
    "hba1c": Bounds(3, 20),
    "times_per_day": Bounds(1, 12), "dose": Bounds(0.001, 10000),
}

LIFESTYLE_NUMBERS = ("cigarettes", "cigarettes_target", "alcohol_liang", "alcohol_liang_target",
                     "exercise_per_week", "exercise_minutes", "exercise_per_week_target",
                     "exercise_minutes_target", "staple_grams", "staple_grams_target")
LIFESTYLE_CHOICES = {"salt": SALT, "salt_target": SALT, "psychology": LEVELS3,
                     "compliance": LEVELS3}
LIFESTYLE = LIFESTYLE_NUMBERS + tuple(LIFESTYLE_CHOICES)
# Items one program's sheet does not have.
NOT_IN = {"hypertension": ("staple_grams", "staple_grams_target"),
          "diabetes": ("salt", "salt_target")}
DIABETES_ONLY = ("hba1c", "hba1c_date", "hypoglycemia", "foot_pulse", "insulin")

# What usually stays the same from one visit to the next: the form starts from it.
CARRIED = ("height", "weight_target", "cigarettes_target", "alcohol_liang_target",
           "exercise_per_week_target", "exercise_minutes_target", "salt_target",
           "staple_grams_target", "insulin_kind", "insulin_usage")

# Pregnancy or lactation is asked of women of these ages only.
PREGNANCY_AGES = (15, 49)

# Other drinks as liang of baijiu (FORMS.md §2): beer ÷ 10, wine ÷ 4, yellow wine ÷ 5.
ALCOHOL_DIVISORS = {"baijiu": 1, "beer": 10, "wine": 4, "yellow_wine": 5}


def liang_of(amount_liang: float, drink: str) -> float:
    return round(amount_liang / ALCOHOL_DIVISORS[drink], 2)


def pregnancy_applies(sex: str, age: int) -> bool:
    return sex == "female" and PREGNANCY_AGES[0] <= age <= PREGNANCY_AGES[1]


def carried_forward(previous: dict | None) -> dict:
    """The fields a new visit starts from, taken from the previous visit's values."""
    if not previous:
        return {}
    return {name: previous[name] for name in CARRIED if previous.get(name) is not None}

