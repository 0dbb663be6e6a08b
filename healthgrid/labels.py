"""Display names of the codes stored in the database, translated at render time."""
import re

from flask_babel import lazy_gettext as _l

LABELS = {
    "role": {"admin": _l("Administrator"), "manager": _l("Manager"), "doctor": _l("Doctor"),
             "referral_desk": _l("Referral desk")},
    "member_role": {"gp": _l("General practitioner"), "nurse": _l("Nurse"),
                    "public_health": _l("Public health worker"), "specialist": _l("Specialist"),
                    "other": _l("Other member")},
    "institution_kind": {"health_center": _l("Community health service centre"),
                         "hospital": _l("Hospital"),
                         "public_health_agency": _l("Public health agency")},
    "community_kind": {"neighborhood": _l("Neighbourhood committee"),
                       "village": _l("Village committee")},
    "grid_kind": {"residential": _l("Residential"), "township": _l("Township"),
                  "village": _l("Village")},
    "sex": {"male": _l("Male"), "female": _l("Female")},
    "residence_type": {"registered": _l("Registered resident"),
                       "non_registered": _l("Non-registered resident")},
    "blood_type": {"A": "A", "B": "B", "O": "O", "AB": "AB", "unknown": _l("Unknown")},
    "payment_type": {"employee_insurance": _l("Urban employee medical insurance"),
                     "resident_insurance": _l("Urban and rural resident medical insurance"),
                     "new_rural_cooperative": _l("New rural cooperative medical scheme"),
                     "poverty_relief": _l("Medical assistance for the poor"),
                     "commercial": _l("Commercial medical insurance"),
                     "self_paid": _l("Fully self-paid"), "public": _l("Public medical care"),
                     "other": _l("Other")},
    "relation": {"head": _l("Head of household"), "spouse": _l("Spouse"), "child": _l("Child"),
                 "parent": _l("Parent"), "grandchild": _l("Grandchild"),
                 "sibling": _l("Sibling"), "other": _l("Other relation")},
    "status": {"active": _l("Active"), "moved_out": _l("Moved out"),
               "deceased": _l("Deceased")},
    "archive_medium": {"paper": _l("Paper"), "electronic": _l("Electronic")},
    "key_population": {"elderly": _l("Aged 65+"), "hypertension": _l("Hypertension"),
                       "diabetes": _l("Type 2 diabetes"), "child_0_6": _l("Child aged 0–6"),
                       "pregnant": _l("Pregnant"),
                       "severe_mental_illness": _l("Severe mental illness"),
                       "disabled": _l("Disabled")},
    "program": {"hypertension": _l("Hypertension management"),
                "diabetes": _l("Type 2 diabetes management"),
                "elderly": _l("Elderly health management")},
    "classification": {"controlled": _l("Controlled"), "uncontrolled": _l("Uncontrolled"),
                       "adverse_reaction": _l("Adverse drug reaction"),
                       "complication": _l("New or worsened complication")},
    "referral": {"none": _l("No referral"), "suggested": _l("Referral suggested"),
                 "urgent": _l("Urgent referral")},
    "method": {"clinic": _l("Clinic"), "home": _l("Home visit"), "phone": _l("Phone call")},
    "exit_reason": {"deceased": _l("Deceased"), "moved_out": _l("Moved out"),
                    "refused": _l("Refused"), "misdiagnosis": _l("Misdiagnosis")},
    "enrollment_status": {"active": _l("Under management"), "exited": _l("Ended")},
    "selfcare_level": {"independent": _l("Independent"), "mild": _l("Mildly dependent"),
                       "moderate": _l("Moderately dependent"), "dependent": _l("Dependent")},
    "selfcare_item": {"eating": _l("Eating"), "washing": _l("Washing"), "dressing": _l("Dressing"),
                      "toileting": _l("Toileting"), "mobility": _l("Mobility")},
    "adherence": {"regular": _l("Regular"), "intermittent": _l("Intermittent"),
                  "none": _l("Not taking")},
    "symptom": {"consciousness": _l("Altered consciousness"),
                "severe_headache": _l("Severe headache or dizziness"),
                "vomiting": _l("Nausea or vomiting"), "vision": _l("Blurred vision or eye pain"),
                "palpitation": _l("Palpitations or chest tightness"),
                "dyspnea": _l("Breathless, cannot lie flat"),
                "chest_pain": _l("Precordial pain"), "ketone_breath": _l("Rotten-apple breath"),
                "sweating": _l("Heavy sweating"), "polyuria": _l("Heavy thirst and urination"),
                "abdominal_pain": _l("Abdominal pain"), "deep_breathing": _l("Deep breathing"),
                "flushed_skin": _l("Flushed skin"), "vision_loss": _l("Sudden vision loss"),
                "dizziness": _l("Dizziness"), "headache": _l("Headache"),
                "numbness": _l("Numbness of limbs"), "edema": _l("Edema of lower limbs"),
                "other": _l("Other symptom"), "none": _l("No symptoms"),
                "headache_dizziness": _l("Headache and dizziness"),
                "blur_tinnitus": _l("Blurred vision and tinnitus"),
                "nosebleed": _l("Nosebleed that will not stop"),
                "polydipsia": _l("Drinking much"), "polyphagia": _l("Eating much"),
                "blurred_vision": _l("Blurred vision"), "infection": _l("Infection"),
                "numb_hands_feet": _l("Numb hands and feet"),
                "weight_loss": _l("Marked weight loss")},
    "level3": {"good": _l("Good"), "fair": _l("Fair"), "poor": _l("Poor")},
    "salt": {"light": _l("Light"), "moderate": _l("Moderate"), "heavy": _l("Heavy")},
    "hypoglycemia": {"none": _l("None"), "occasional": _l("Occasional"),
                     "frequent": _l("Frequent")},
    "foot_pulse": {"normal": _l("Not weakened"), "weak_both": _l("Weakened, both sides"),
                   "weak_left": _l("Weakened, left"), "weak_right": _l("Weakened, right"),
                   "absent_both": _l("Absent, both sides"), "absent_left": _l("Absent, left"),
                   "absent_right": _l("Absent, right")},
    "referral_status": {"requested": _l("Requested"), "accepted": _l("Accepted"),
                        "rejected": _l("Rejected"), "arrived": _l("Arrived"),
                        "completed": _l("Completed"), "cancelled": _l("Cancelled")},
    "referral_action": {"create": _l("Created"), "accept": _l("Accept"), "reject": _l("Reject"),
                        "arrive": _l("Mark arrived"), "complete": _l("Complete with feedback"),
                        "cancel": _l("Cancel referral"), "assign": _l("Assign to team")},
    "direction": {"up": _l("Up referral"), "down": _l("Down referral")},
    "urgency": {"urgent": _l("Urgent"), "routine": _l("Routine")},
    "event_type": {
        "food_safety": _l("Food safety"), "drinking_water": _l("Drinking water hygiene"),
        "illegal_practice": _l("Illegal medical practice"),
        "illegal_blood": _l("Illegal blood collection"), "school": _l("School hygiene"),
        "public_place": _l("Public place hygiene"),
        "infectious_cluster": _l("Infectious disease cluster"),
        "other": _l("Other public-health event")},
    "event_mode": {"general": _l("General"), "coordination": _l("Coordination"),
                   "emergency": _l("Emergency"), "approval": _l("Approval")},
    "event_mode_help": {
        "general": _l("handled on the spot by the grid and logged"),
        "coordination": _l("accepted on the spot, solved by the community"),
        "emergency": _l("reported at once to the centre, handled urgently"),
        "approval": _l("reported up for a decision, tracked to the end")},
    "event_level": {"grid": _l("Grid"), "community": _l("Community"), "centre": _l("Centre"),
                    "district": _l("District")},
    "event_status": {"reported": _l("Reported"), "accepted": _l("Accepted for handling"),
                     "dispatched": _l("Dispatched"), "handled": _l("Handled"),
                     "closed": _l("Closed")},
    "event_action": {"report": _l("Report"), "accept": _l("Accept for handling"),
                     "escalate": _l("Escalate one level up"),
                     "resolve": _l("Handled on the spot"), "dispatch": _l("Dispatch"),
                     "handle": _l("Record handling feedback"),
                     "close": _l("Verify and close"), "return": _l("Send back for handling")},
    "indicator": {
        "grid_coverage": _l("Grid coverage"),
        "staff_participation": _l("Medical staff in grids"),
        "service_provision": _l("Team service functions provided"),
        "awareness": _l("Resident awareness"),
        "satisfaction": _l("Resident satisfaction"),
        "archive_rate": _l("Health archive rate"),
        "e_archive_rate": _l("Electronic health archive rate"),
        "archive_usage": _l("Health archive usage"),
        "contract_rate": _l("Family doctor contract rate"),
        "key_contract_rate": _l("Key population contract rate"),
        "htn_standard_mgmt": _l("Hypertension standard management"),
        "htn_control": _l("Blood pressure control among managed"),
        "dm_standard_mgmt": _l("Type 2 diabetes standard management"),
        "dm_control": _l("Glucose control among managed"),
        "elderly_mgmt": _l("Elderly health management"),
        "followup_overdue": _l("Overdue follow-ups"),
        "down_referral_visit": _l("Down referrals visited within two weeks"),
    },
    "service_item": {
        "archive": _l("Health archives"), "htn_followup": _l("Hypertension follow-up"),
        "dm_followup": _l("Diabetes follow-up"), "elderly_check": _l("Elderly annual check"),
        "contract": _l("Family doctor contracts"), "health_education": _l("Health education"),
        "referral": _l("Two-way referral"), "maternal_visit": _l("Maternal visits"),
        "child_health": _l("Child health care"), "infectious_report": _l("Infectious disease reports"),
        "mental_health": _l("Severe mental illness care"), "rehab": _l("Rehabilitation"),
        "supervision_report": _l("Health supervision reports"),
    },
    "flag": {"hypertension_screening": _l("BP ≥ 140/90 without hypertension management: "
                                          "screen for hypertension"),
             "screen_hypertension": _l("BP ≥ 140/90 without hypertension management: "
                                       "screen for hypertension"),
             "screen_diabetes": _l("Fasting glucose ≥ 7.0 mmol/L without diabetes management: "
                                   "screen for diabetes")},
}

REASONS = {
    "not_at_target": _l("not at target"),
    "two_consecutive_uncontrolled": _l("not at target twice in a row"),
    "adverse_reaction": _l("adverse drug reaction"),
    "two_consecutive_adverse_reaction": _l("adverse reaction twice in a row"),
    "new_complication": _l("new or worsened complication"),
    "pregnant_not_at_target": _l("pregnant or lactating and not at target"),
}


# A reading past an urgent threshold, as the rules write it ('sbp>=180', 'glucose<=3.9'):
# the code stays in the API, the page names the measure and its unit.
_READING = re.compile(r"(sbp|dbp|glucose|heart_rate|temperature)(>=|<=|>|<)([0-9.]+)")
MEASURES = {
    "sbp": (_l("systolic BP"), "mmHg"), "dbp": (_l("diastolic BP"), "mmHg"),
    "glucose": (_l("blood glucose"), "mmol/L"), "heart_rate": (_l("heart rate"), _l("/min")),
    "temperature": (_l("body temperature"), "°C"),
}
_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def reason_text(code: str) -> str:
    """A classification reason in words: 'sbp>=180' → 'systolic BP ≥ 180 mmHg', symptoms
    are named."""
    if code.startswith("symptom:"):
        return str(_l("symptom: %(name)s", name=label("symptom", code.split(":", 1)[1])))
    reading = _READING.fullmatch(code)
    if reading:
        measure, sign, value = reading.groups()
        name, unit = MEASURES[measure]
        return f"{name} {_SIGNS[sign]} {value} {unit}"
    return str(REASONS.get(code, code))


def label(kind: str, code) -> str:
    if code is None:
        return ""
    return str(LABELS.get(kind, {}).get(code, code))


def choices(kind: str) -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in LABELS[kind].items()]
