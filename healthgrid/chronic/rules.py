"""Follow-up classification, self-care assessment and schedules (RULES.md §3).

Pure functions: no Flask, no database. Every number comes from FollowupSettings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

PROGRAMS = ("hypertension", "diabetes", "elderly")
VISIT_PROGRAMS = ("hypertension", "diabetes")
METHODS = ("clinic", "home", "phone")
EXIT_REASONS = ("deceased", "moved_out", "refused", "misdiagnosis")
CLASSIFICATIONS = ("controlled", "uncontrolled", "adverse_reaction", "complication")
REFERRALS = ("none", "suggested", "urgent")

HTN_URGENT_SYMPTOMS = ("consciousness", "severe_headache", "vomiting", "vision", "palpitation",
                       "dyspnea", "chest_pain")
DM_URGENT_SYMPTOMS = ("consciousness", "ketone_breath", "palpitation", "sweating", "vomiting",
                      "polyuria", "abdominal_pain", "deep_breathing", "flushed_skin",
                      "vision_loss")
SELFCARE_ITEMS = ("eating", "washing", "dressing", "toileting", "mobility")


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float


@dataclass(frozen=True)
class FollowupSettings:
    elderly_age: int = 65
    htn_sbp_target: int = 140          # at target when below
    htn_dbp_target: int = 90
    htn_elderly_sbp_target: int = 150  # from elderly_age on the visit date
    dm_fpg_target: float = 7.0
    urgent_sbp: int = 180              # at or above
    urgent_dbp: int = 110
    urgent_glucose_high: float = 16.7  # at or above
    urgent_glucose_low: float = 3.9    # at or below
    urgent_heart_rate: int = 100       # above
    urgent_temperature: float = 39.0   # above
    short_interval_days: int = 14
    controlled_interval_days: int = 90
    new_enrollment_due_days: int = 14
    check_interval_days: int = 365
    referral_followup_days: int = 14
    due_soon_days: int = 7
    screening_sbp: int = 140           # an elderly check at or above is flagged
    screening_dbp: int = 90
    bounds: dict = field(default_factory=lambda: {
        "sbp": Bounds(50, 300), "dbp": Bounds(30, 200), "fpg": Bounds(1.0, 40.0),
        "heart_rate": Bounds(20, 250), "temperature": Bounds(34.0, 43.0),
        "weight": Bounds(2, 400), "height": Bounds(50, 250)})
    selfcare_points: dict = field(default_factory=lambda: {
        "eating": (0, 0, 3, 5), "washing": (0, 1, 3, 7), "dressing": (0, 0, 3, 5),
        "toileting": (0, 1, 5, 10), "mobility": (0, 1, 5, 10)})
    # Upper bounds of each level's score range, in order.
    selfcare_levels: tuple = (("independent", 3), ("mild", 8), ("moderate", 18),
                              ("dependent", 10 ** 6))


SETTINGS = FollowupSettings()


@dataclass(frozen=True)
class Visit:
    program: str
    visit_date: date
    age: int
    sbp: int | None = None
    dbp: int | None = None
    fpg: float | None = None
    heart_rate: int | None = None
    temperature: float | None = None
    symptoms: tuple[str, ...] = ()
    adverse_reaction: bool = False
    new_complication: bool = False
    pregnant_or_lactating: bool = False


@dataclass(frozen=True)
class Previous:
    """What classification needs of the visit before: was it at target, had a reaction."""
    at_target: bool
    adverse_reaction: bool


@dataclass(frozen=True)
class Outcome:
    classification: str
    at_target: bool
    referral: str
    reasons: tuple[str, ...]
    next_due_date: date


def input_problems(values: dict, program: str, s: FollowupSettings = SETTINGS) -> dict[str, str]:
    """Field → message key for values a visit may not have (bounds, SBP > DBP, required)."""
    problems = {}
    for name, bound in s.bounds.items():
        value = values.get(name)
        if value is not None and not bound.low <= value <= bound.high:
            problems[name] = "out_of_range"
    sbp, dbp = values.get("sbp"), values.get("dbp")
    if (sbp is None) != (dbp is None):
        problems.setdefault("dbp" if sbp is not None else "sbp", "bp_pair")
    if sbp is not None and dbp is not None and "sbp" not in problems and "dbp" not in problems \
            and sbp <= dbp:
        problems["dbp"] = "sbp_not_above_dbp"
    if program == "hypertension" and sbp is None and dbp is None:
        problems["sbp"] = "bp_required"
    if program == "diabetes" and values.get("fpg") is None:
        problems["fpg"] = "fpg_required"
    return problems


def bp_at_target(sbp: int | None, dbp: int | None, age: int,
                 s: FollowupSettings = SETTINGS) -> bool:
    if sbp is None or dbp is None:
        return False
    sbp_limit = s.htn_elderly_sbp_target if age >= s.elderly_age else s.htn_sbp_target
    return sbp < sbp_limit and dbp < s.htn_dbp_target


def fpg_at_target(fpg: float | None, s: FollowupSettings = SETTINGS) -> bool:
    return fpg is not None and fpg < s.dm_fpg_target


def at_target(visit: Visit, s: FollowupSettings = SETTINGS) -> bool:
    if visit.program == "hypertension":
        return bp_at_target(visit.sbp, visit.dbp, visit.age, s)
    return fpg_at_target(visit.fpg, s)


def urgent_reasons(visit: Visit, s: FollowupSettings = SETTINGS) -> list[str]:
    """Every urgent-referral criterion (紧急转诊) the visit meets."""
    reasons = []
    if visit.sbp is not None and visit.sbp >= s.urgent_sbp:
        reasons.append(f"sbp>={s.urgent_sbp}")
    if visit.dbp is not None and visit.dbp >= s.urgent_dbp:
        reasons.append(f"dbp>={s.urgent_dbp}")
    if visit.program == "diabetes":
        if visit.fpg is not None and visit.fpg >= s.urgent_glucose_high:
            reasons.append(f"glucose>={s.urgent_glucose_high}")
        if visit.fpg is not None and visit.fpg <= s.urgent_glucose_low:
            reasons.append(f"glucose<={s.urgent_glucose_low}")
        if visit.heart_rate is not None and visit.heart_rate > s.urgent_heart_rate:
            reasons.append(f"heart_rate>{s.urgent_heart_rate}")
        if visit.temperature is not None and visit.temperature > s.urgent_temperature:
            reasons.append(f"temperature>{s.urgent_temperature}")
    urgent_symptoms = HTN_URGENT_SYMPTOMS if visit.program == "hypertension" else DM_URGENT_SYMPTOMS
    reasons += [f"symptom:{code}" for code in visit.symptoms if code in urgent_symptoms]
    if visit.pregnant_or_lactating and not at_target(visit, s):
        reasons.append("pregnant_not_at_target")
    return reasons


def classify(visit: Visit, previous: Previous | None,
             s: FollowupSettings = SETTINGS) -> Outcome:
    """One classification per visit; the most severe case applies (RULES.md §3 table)."""
    on_target = at_target(visit, s)
    short = visit.visit_date + timedelta(days=s.short_interval_days)
    urgent = urgent_reasons(visit, s)
    if urgent:
        if visit.new_complication:
            kind, extra = "complication", ["new_complication"]
        elif visit.adverse_reaction:
            kind, extra = "adverse_reaction", ["adverse_reaction"]
        else:
            kind, extra = ("controlled" if on_target else "uncontrolled"), (
                [] if on_target else ["not_at_target"])
        return Outcome(kind, on_target, "urgent", tuple(urgent + extra), short)
    if visit.new_complication:
        reasons = ["new_complication"] + ([] if on_target else ["not_at_target"])
        return Outcome("complication", on_target, "suggested", tuple(reasons), short)
    if not on_target and previous is not None and not previous.at_target:
        return Outcome("uncontrolled", False, "suggested",
                       ("not_at_target", "two_consecutive_uncontrolled"), short)
    if visit.adverse_reaction and previous is not None and previous.adverse_reaction:
        return Outcome("adverse_reaction", on_target, "suggested",
                       ("adverse_reaction", "two_consecutive_adverse_reaction"), short)
    if visit.adverse_reaction:
        return Outcome("adverse_reaction", on_target, "none", ("adverse_reaction",), short)
    if not on_target:
        return Outcome("uncontrolled", False, "none", ("not_at_target",), short)
    return Outcome("controlled", True, "none", (),
                   visit.visit_date + timedelta(days=s.controlled_interval_days))


def first_due_date(program: str, enrolled_on: date, s: FollowupSettings = SETTINGS) -> date:
    """A new chronic enrollment is seen within 14 days; the elderly check is due at once."""
    if program == "elderly":
        return enrolled_on
    return enrolled_on + timedelta(days=s.new_enrollment_due_days)


def after_referral_due(current: date | None, referred_on: date,
                       s: FollowupSettings = SETTINGS) -> date:
    """An up-referral brings the next visit to at most 14 days later (follow up the result)."""
    limit = referred_on + timedelta(days=s.referral_followup_days)
    return min(current, limit) if current is not None else limit


def selfcare_score(levels: dict[str, int], s: FollowupSettings = SETTINGS) -> int:
    return sum(s.selfcare_points[item][levels[item]] for item in SELFCARE_ITEMS)


def selfcare_level(score: int, s: FollowupSettings = SETTINGS) -> str:
    for level, upper in s.selfcare_levels:
        if score <= upper:
            return level
    return s.selfcare_levels[-1][0]


def check_flags(sbp: int | None, dbp: int | None, in_hypertension_program: bool,
                s: FollowupSettings = SETTINGS) -> list[str]:
    """An elderly check with high BP outside hypertension management needs screening."""
    high = (sbp is not None and sbp >= s.screening_sbp) or (
        dbp is not None and dbp >= s.screening_dbp)
    return ["hypertension_screening"] if high and not in_hypertension_program else []


def screening_flags(sbp: int | None, dbp: int | None, fpg: float | None,
                    in_hypertension: bool, in_diabetes: bool,
                    s: FollowupSettings = SETTINGS) -> list[str]:
    """A check's readings that call for screening in a program the resident is not in
    (API.md: screen_hypertension at BP ≥ 140/90, screen_diabetes at glucose ≥ 7.0)."""
    flags = []
    if check_flags(sbp, dbp, in_hypertension, s):
        flags.append("screen_hypertension")
    if fpg is not None and fpg >= s.dm_fpg_target and not in_diabetes:
        flags.append("screen_diabetes")
    return flags


FLAG_PROGRAMS = {"screen_hypertension": "hypertension", "screen_diabetes": "diabetes",
                 "hypertension_screening": "hypertension"}


def check_next_due(check_date: date, s: FollowupSettings = SETTINGS) -> date:
    return check_date + timedelta(days=s.check_interval_days)


def bmi(weight: float | None, height_cm: float | None) -> float | None:
    if not weight or not height_cm:
        return None
    return round(weight / (height_cm / 100) ** 2, 1)


def due_state(next_due: date | None, day: date, s: FollowupSettings = SETTINGS) -> str | None:
    """'overdue' before the day, 'due_soon' within the next 7 days, else None."""
    if next_due is None:
        return None
    if next_due < day:
        return "overdue"
    if next_due <= day + timedelta(days=s.due_soon_days):
        return "due_soon"
    return None
