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
}


def label(kind: str, code) -> str:
    if code is None:
        return ""
    return str(LABELS.get(kind, {}).get(code, code))


def choices(kind: str) -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in LABELS[kind].items()]
