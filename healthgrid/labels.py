"""Display names of the codes stored in the database, translated at render time."""
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
}


def label(kind: str, code) -> str:
    if code is None:
        return ""
    return str(LABELS.get(kind, {}).get(code, code))


def choices(kind: str) -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in LABELS[kind].items()]
