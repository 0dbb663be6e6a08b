"""The personal basic information form's choices (个人基本信息表, FORMS.md §1). Pure: no
Flask, no database.

Single choices are stored as one code, several-allowed ones as comma-separated codes;
"none" is a choice of its own (a blank field is "not recorded", never "none")."""
from __future__ import annotations

from .rules import PAYMENT_TYPES

# By name, as the national form writes them (GB 3304 order).
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族")

RH = ("negative", "positive", "unknown")
EDUCATION = ("postgraduate", "bachelor", "college", "technical_secondary", "technical_school",
             "senior_high", "junior_high", "primary", "illiterate", "unknown")
OCCUPATION = ("leader", "professional", "clerk", "commerce_service", "agriculture",
              "production", "military", "unclassified", "no_occupation")
MARITAL_STATUS = ("unmarried", "married", "widowed", "divorced", "not_stated")
DRUG_ALLERGIES = ("none", "penicillin", "sulfonamides", "streptomycin", "other")
EXPOSURES = ("none", "chemicals", "poisons", "radiation")
DISEASES = ("none", "hypertension", "diabetes", "coronary", "copd", "cancer", "stroke",
            "mental", "tuberculosis", "hepatitis", "infectious", "occupational", "other")
DISABILITIES = ("none", "visual", "hearing", "speech", "physical", "intellectual", "mental",
                "other")
HEREDITARY = ("none", "yes")
KITCHEN = ("none", "range_hood", "exhaust_fan", "chimney")
FUEL = ("lpg", "coal", "natural_gas", "biogas", "firewood", "other")
WATER = ("tap", "purified", "well", "river_lake", "pond", "other")
TOILET = ("sanitary", "septic", "flush", "open_pit", "simple_shed")
LIVESTOCK = ("none", "separate", "indoors", "outdoors")
RELATIVES = ("father", "mother", "siblings", "children")
EVENT_FIELDS = {"operations": "operation", "injuries": "injury", "transfusions": "transfusion"}

# field -> (codes, label kind)
SINGLE = {
    "rh": (RH, "rh"), "education": (EDUCATION, "education"),
    "occupation": (OCCUPATION, "occupation"), "marital_status": (MARITAL_STATUS, "marital"),
    "hereditary": (HEREDITARY, "hereditary"), "kitchen": (KITCHEN, "kitchen"),
    "fuel": (FUEL, "fuel"), "water": (WATER, "water"), "toilet": (TOILET, "toilet"),
    "livestock": (LIVESTOCK, "livestock"),
}
MULTI = {
    "payment_types": (PAYMENT_TYPES, "payment_type"),
    "drug_allergies": (DRUG_ALLERGIES, "drug_allergy"),
    "exposures": (EXPOSURES, "exposure"),
    "disabilities": (DISABILITIES, "disability"),
}
TEXT = {"workplace": 100, "contact_name": 64, "payment_other": 64, "hereditary_name": 100,
        "fuel_other": 64, "water_other": 64}


def split_codes(value: str | None) -> list[str]:
    return [code for code in (value or "").split(",") if code]


def none_mixed(codes: list[str]) -> bool:
    """"None" beside another choice says two things at once."""
    return "none" in codes and len(codes) > 1


def disabled_from(codes: list[str]) -> bool | None:
    """The key-population flag a disability list implies (None: the list says nothing)."""
    if not codes:
        return None
    return any(code != "none" for code in codes)
