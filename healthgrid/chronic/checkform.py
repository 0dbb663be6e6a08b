"""The annual health check form (健康体检表, FORMS.md §4) declared once: its sections and
fields, each a number with bounds, a choice, several choices, a normal/abnormal finding with
its detail, or text. The schema, the form page, the result page and the printed sheet are
all made from this list."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from healthgrid.labels import LABELS


@dataclass(frozen=True)
class Item:
    name: str
    title: object
    kind: str                 # num | int | choice | multi | finding | text
    low: float | None = None
    high: float | None = None
    unit: str = ""
    choices: str | None = None  # LABELS kind


def num(name, title, low, high, unit=""):
    return Item(name, title, "num", low, high, unit)


def whole(name, title, low, high, unit=""):
    return Item(name, title, "int", low, high, unit)


def one(name, title, kind):
    return Item(name, title, "choice", choices=kind)


def several(name, title, kind):
    return Item(name, title, "multi", choices=kind)


def finding(name, title):
    """Normal or abnormal; an abnormal one carries what was found (name_detail)."""
    return Item(name, title, "finding")


def text(name, title):
    return Item(name, title, "text")


CHECK_LABELS = {
    "check_symptom": {
        "none": _l("No symptoms"), "headache": _l("Headache"), "dizziness": _l("Dizziness"),
        "palpitation": _l("Palpitation"), "chest_tightness": _l("Chest tightness"),
        "chest_pain": _l("Chest pain"), "chronic_cough": _l("Chronic cough"),
        "sputum": _l("Sputum"), "dyspnea": _l("Dyspnoea"), "polydipsia": _l("Drinking much"),
        "polyuria": _l("Urinating much"), "weight_loss": _l("Weight loss"),
        "fatigue": _l("Fatigue"), "joint_pain": _l("Joint swelling or pain"),
        "blurred_vision": _l("Blurred vision"), "numbness": _l("Numb hands and feet"),
        "urgency": _l("Urgent urination"), "dysuria": _l("Painful urination"),
        "constipation": _l("Constipation"), "diarrhea": _l("Diarrhoea"),
        "vomiting": _l("Nausea or vomiting"), "dim_sight": _l("Dim sight"),
        "tinnitus": _l("Tinnitus"), "breast_pain": _l("Breast distension and pain"),
        "other": _l("Other")},
    "self_health": {"satisfied": _l("Satisfied"), "fairly": _l("Fairly satisfied"),
                    "unsure": _l("Can't say"), "not_very": _l("Not very satisfied"),
                    "dissatisfied": _l("Dissatisfied")},
    "screen": {"negative": _l("Negative"), "positive": _l("Positive")},
    "frequency": {"daily": _l("Daily"), "weekly": _l("Once a week or more"),
                  "occasionally": _l("Occasionally"), "never": _l("Never")},
    "diet": {"balanced": _l("Balanced"), "meat": _l("Mostly meat"),
             "vegetarian": _l("Mostly vegetarian"), "salty": _l("Salty"), "oily": _l("Oily"),
             "sweet": _l("Sweet")},
    "smoking": {"never": _l("Never smoked"), "quit": _l("Quit"), "smoker": _l("Smokes")},
    "drinking": {"never": _l("Never"), "occasionally": _l("Occasionally"),
                 "often": _l("Often"), "daily": _l("Every day")},
    "yes_no": {"no": _l("No"), "yes": _l("Yes")},
    "drink_kind": {"baijiu": _l("Liquor"), "beer": _l("Beer"), "wine": _l("Wine"),
                   "yellow_wine": _l("Yellow wine"), "other": _l("Other")},
    "occupational": {"none": _l("None"), "dust": _l("Dust"), "radiation": _l("Radiation"),
                     "physical": _l("Physical factors"), "chemical": _l("Chemicals"),
                     "other": _l("Other")},
    "lips": {"normal": _l("Rosy"), "pale": _l("Pale"), "cyanotic": _l("Cyanotic"),
             "chapped": _l("Chapped"), "herpes": _l("Herpes")},
    "dentition": {"normal": _l("Normal"), "missing": _l("Missing teeth"),
                  "caries": _l("Caries"), "dentures": _l("Dentures")},
    "pharynx": {"normal": _l("No congestion"), "congested": _l("Congested"),
                "hyperplasia": _l("Lymphoid follicle hyperplasia")},
    "hearing": {"hears": _l("Hears"), "unclear": _l("Cannot hear clearly or at all")},
    "motor": {"can": _l("Completes independently"), "cannot": _l("Cannot complete independently")},
    "rhythm": {"regular": _l("Regular"), "irregular": _l("Irregular"),
               "absolutely_irregular": _l("Absolutely irregular")},
    "edema": {"none": _l("None"), "one_side": _l("One side"),
              "both_unequal": _l("Both sides, unequal"), "both": _l("Both sides")},
    "urine": {"negative": "−", "trace": "±", "1": "+", "2": "++", "3": "+++", "4": "++++"},
    "guidance": {"chronic": _l("Enter chronic-disease management"),
                 "recheck": _l("Recheck"), "refer": _l("Refer")},
    "risk": {"quit_smoking": _l("Quit smoking"), "healthy_drinking": _l("Drink healthily"),
             "diet": _l("Diet"), "exercise": _l("Exercise"), "lose_weight": _l("Lose weight"),
             "vaccination": _l("Vaccination"), "other": _l("Other")},
    "finding": {"normal": _l("Normal"), "abnormal": _l("Abnormal")},
    "problem": {"normal": _l("Not found"), "abnormal": _l("Present")},
}
LABELS.update(CHECK_LABELS)

SECTIONS = (
    ("symptoms", _l("Symptoms"), (
        several("symptoms", _l("Symptoms"), "check_symptom"),
        text("symptom_other", _l("Other symptoms")))),
    ("general", _l("General condition"), (
        num("temperature", _l("Temperature"), 34, 43, "°C"),
        whole("pulse", _l("Pulse"), 20, 250, _l("/min")),
        whole("respiration", _l("Respiration rate"), 5, 60, _l("/min")),
        whole("sbp_right", _l("Systolic, right arm"), 50, 300, "mmHg"),
        whole("dbp_right", _l("Diastolic, right arm"), 30, 200, "mmHg"),
        num("waist", _l("Waist"), 40, 200, "cm"),
        one("self_health", _l("Self-assessed health"), "self_health"),
        one("cognition", _l("Cognition screen"), "screen"),
        whole("mmse", _l("MMSE total score"), 0, 30),
        one("mood", _l("Mood screen"), "screen"),
        whole("gds", _l("Geriatric depression score"), 0, 30))),
    ("lifestyle", _l("Lifestyle"), (
        one("exercise_frequency", _l("Exercise"), "frequency"),
        whole("exercise_minutes", _l("Minutes each time"), 0, 600),
        whole("exercise_years", _l("Years kept up"), 0, 100),
        text("exercise_kind", _l("Kind of exercise")),
        several("diet", _l("Diet"), "diet"),
        one("smoking", _l("Smoking"), "smoking"),
        whole("cigarettes", _l("Cigarettes a day"), 0, 100),
        whole("smoking_start_age", _l("Age started smoking"), 5, 110),
        whole("smoking_quit_age", _l("Age quit smoking"), 5, 110),
        one("drinking", _l("Drinking"), "drinking"),
        num("alcohol_liang", _l("Liquor a day (liang)"), 0, 50),
        one("drinking_quit", _l("Quit drinking"), "yes_no"),
        whole("drinking_quit_age", _l("Age quit drinking"), 5, 110),
        whole("drinking_start_age", _l("Age started drinking"), 5, 110),
        one("drunk_last_year", _l("Drunk in the last year"), "yes_no"),
        several("drink_kinds", _l("Kinds of drink"), "drink_kind"),
        several("occupational", _l("Occupational exposure"), "occupational"),
        text("occupational_detail", _l("Exposure: what, how long, protection")))),
    ("organs", _l("Organ function"), (
        one("lips", _l("Lips"), "lips"), one("dentition", _l("Dentition"), "dentition"),
        one("pharynx", _l("Pharynx"), "pharynx"),
        num("vision_left", _l("Vision, left"), 0, 2.0), num("vision_right", _l("Vision, right"), 0, 2.0),
        num("vision_left_corrected", _l("Corrected vision, left"), 0, 2.0),
        num("vision_right_corrected", _l("Corrected vision, right"), 0, 2.0),
        one("hearing", _l("Hearing"), "hearing"), one("motor", _l("Motor function"), "motor"))),
    ("exam", _l("Examination"), (
        finding("fundus", _l("Fundus")), finding("skin", _l("Skin")),
        finding("sclera", _l("Sclera")), finding("lymph_nodes", _l("Lymph nodes")),
        one("barrel_chest", _l("Barrel chest"), "yes_no"),
        finding("breath_sounds", _l("Breath sounds")), finding("rales", _l("Rales")),
        whole("heart_rate", _l("Heart rate"), 20, 250, _l("/min")),
        one("rhythm", _l("Heart rhythm"), "rhythm"), finding("murmur", _l("Murmur")),
        finding("tenderness", _l("Abdominal tenderness")),
        finding("abdominal_mass", _l("Abdominal mass")),
        finding("liver", _l("Liver enlargement")), finding("spleen", _l("Spleen enlargement")),
        finding("shifting_dullness", _l("Shifting dullness")),
        one("leg_edema", _l("Lower-limb oedema"), "edema"),
        one("foot_pulse", _l("Dorsalis pedis pulse"), "foot_pulse"),
        finding("rectal", _l("Digital rectal exam")), finding("breast", _l("Breast")),
        finding("vulva", _l("Vulva")), finding("vagina", _l("Vagina")),
        finding("cervix", _l("Cervix")), finding("uterus", _l("Uterus")),
        finding("adnexa", _l("Adnexa")), text("exam_other", _l("Other findings")))),
    ("tests", _l("Tests"), (
        num("hemoglobin", _l("Haemoglobin"), 20, 250, "g/L"),
        num("wbc", _l("White cells"), 0.1, 100, "×10⁹/L"),
        num("platelets", _l("Platelets"), 1, 2000, "×10⁹/L"),
        one("urine_protein", _l("Urine protein"), "urine"),
        one("urine_glucose", _l("Urine glucose"), "urine"),
        one("urine_ketones", _l("Urine ketones"), "urine"),
        one("urine_blood", _l("Urine occult blood"), "urine"),
        finding("ecg", _l("ECG")),
        num("microalbumin", _l("Urine microalbumin"), 0, 1000, "mg/dL"),
        one("fecal_blood", _l("Faecal occult blood"), "screen"),
        num("hba1c", _l("HbA1c"), 3, 20, "%"),
        one("hbsag", _l("HBsAg"), "screen"),
        num("alt", _l("ALT"), 0, 5000, "U/L"), num("ast", _l("AST"), 0, 5000, "U/L"),
        num("albumin", _l("Albumin"), 5, 80, "g/L"),
        num("bilirubin_total", _l("Total bilirubin"), 0, 1000, "μmol/L"),
        num("bilirubin_direct", _l("Direct bilirubin"), 0, 800, "μmol/L"),
        num("creatinine", _l("Creatinine"), 5, 3000, "μmol/L"),
        num("urea", _l("Urea"), 0.5, 100, "mmol/L"),
        num("potassium", _l("Potassium"), 1, 10, "mmol/L"),
        num("sodium", _l("Sodium"), 100, 200, "mmol/L"),
        num("cholesterol", _l("Total cholesterol"), 0.5, 30, "mmol/L"),
        num("triglycerides", _l("Triglycerides"), 0.1, 50, "mmol/L"),
        num("ldl", _l("LDL-C"), 0.1, 20, "mmol/L"), num("hdl", _l("HDL-C"), 0.1, 10, "mmol/L"),
        finding("chest_xray", _l("Chest X-ray")),
        finding("ultrasound_abdomen", _l("Abdominal ultrasound")),
        finding("ultrasound_other", _l("Other ultrasound")),
        finding("cervical_smear", _l("Cervical smear")), text("tests_other", _l("Other tests")))),
    ("problems", _l("Current main health problems"), (
        Item("cerebrovascular", _l("Cerebrovascular disease"), "problem"),
        Item("kidney", _l("Kidney disease"), "problem"),
        Item("heart", _l("Heart disease"), "problem"),
        Item("vascular", _l("Vascular disease"), "problem"),
        Item("eye", _l("Eye disease"), "problem"),
        Item("nervous", _l("Nervous system disease"), "problem"),
        Item("other_system", _l("Other system disease"), "problem"))),
    ("evaluation", _l("Health evaluation and guidance"), (
        finding("evaluation", _l("Health evaluation")),
        several("guidance_codes", _l("Health guidance"), "guidance"),
        several("risk_control", _l("Risk-factor control"), "risk"),
        num("weight_target", _l("Target weight"), 2, 400, "kg"),
        text("vaccine_advice", _l("Vaccines advised")),
        text("risk_other", _l("Other advice")))),
)
ITEMS = {item.name: item for _key, _title, items in SECTIONS for item in items}


def detail_names() -> list[str]:
    """Every name the form stores in the check's details (a finding adds its _detail)."""
    names = []
    for item in ITEMS.values():
        names.append(item.name)
        if item.kind in ("finding", "problem"):
            names.append(f"{item.name}_detail")
    return names
