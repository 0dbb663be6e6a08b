"""The columns of the resident sheet: what the template writes, the import reads and the
report names."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

FIRST_DATA_ROW = 3


@dataclass(frozen=True)
class Column:
    code: str
    title: object              # lazy: Chinese in the template, the user's language in reports
    required: bool = False     # the file must have this column
    kind: str = "text"         # text | choice | choices (several) | flag | date | id | phone
    labels: str | None = None  # LABELS kind of a choice column


HOUSEHOLD_CODES = ("household_key", "institution_code", "community_code", "grid_code",
                   "address", "household_phone")
COLUMNS: tuple[Column, ...] = (
    Column("household_key", _l("Household key"), True),
    Column("institution_code", _l("Institution code")),
    Column("community_code", _l("Community code")),
    Column("grid_code", _l("Grid code"), True),
    Column("address", _l("Household address"), True),
    Column("household_phone", _l("Household phone"), kind="phone"),
    Column("name", _l("Full name"), True),
    Column("sex", _l("Sex"), True, "choice", "sex"),
    Column("birth_date", _l("Birth date"), True, "date"),
    Column("id_number", _l("ID number"), kind="id"),
    Column("phone", _l("Personal phone"), kind="phone"),
    Column("relation_to_head", _l("Relation to head"), kind="choice", labels="relation"),
    Column("residence_type", _l("Residence type"), kind="choice", labels="residence_type"),
    Column("ethnicity", _l("Ethnicity")),
    Column("blood_type", _l("Blood type"), kind="choice", labels="blood_type"),
    Column("payment_type", _l("Medical payment"), kind="choice", labels="payment_type"),
    Column("allergies", _l("Drug allergies")),
    Column("past_history", _l("Past history")),
    Column("family_history", _l("Family history")),
    Column("disability", _l("Disability")),
    Column("pregnant", _l("Pregnant"), kind="flag"),
    Column("severe_mental_illness", _l("Severe mental illness"), kind="flag"),
    Column("disabled", _l("Disabled"), kind="flag"),
    Column("archive_medium", _l("Archive medium"), kind="choice", labels="archive_medium"),
    # The personal basic information form (FORMS.md §1); its dated lists are kept on the
    # archive page, not in the sheet.
    Column("workplace", _l("Workplace")),
    Column("contact_name", _l("Contact person")),
    Column("contact_phone", _l("Contact phone"), kind="phone"),
    Column("rh", _l("Rh"), kind="choice", labels="rh"),
    Column("education", _l("Education"), kind="choice", labels="education"),
    Column("occupation", _l("Occupation"), kind="choice", labels="occupation"),
    Column("marital_status", _l("Marital status"), kind="choice", labels="marital"),
    Column("payment_types", _l("Medical payment (several)"), kind="choices",
           labels="payment_type"),
    Column("drug_allergies", _l("Drug allergies (choices)"), kind="choices", labels="drug_allergy"),
    Column("exposures", _l("Exposure"), kind="choices", labels="exposure"),
    Column("hereditary", _l("Hereditary disease"), kind="choice", labels="hereditary"),
    Column("hereditary_name", _l("Disease name")),
    Column("disabilities", _l("Disability (choices)"), kind="choices", labels="disability"),
    Column("kitchen", _l("Kitchen ventilation"), kind="choice", labels="kitchen"),
    Column("fuel", _l("Fuel"), kind="choice", labels="fuel"),
    Column("water", _l("Drinking water"), kind="choice", labels="water"),
    Column("toilet", _l("Toilet"), kind="choice", labels="toilet"),
    Column("livestock", _l("Livestock pen"), kind="choice", labels="livestock"),
)
COLUMN_BY_CODE = {column.code: column for column in COLUMNS}
RESIDENT_CODES = tuple(c.code for c in COLUMNS if c.code not in HOUSEHOLD_CODES)
# Input spellings (not text shown to anyone): what people write in these cells besides the
# codes and the labels of healthgrid.labels in both languages.
_FLAG_WORDS = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
               "true": True, "false": False, "1": True, "0": False, "有": True, "无": False,
               "√": True, "✓": True, "×": False}
_EXTRA_LABELS = {"residence_type": {"户籍居民": "registered", "非户籍居民": "non_registered"},
                 "blood_type": {"a型": "A", "b型": "B", "o型": "O", "ab型": "AB"},
                 "archive_medium": {"纸质档案": "paper", "电子档案": "electronic"}}


def header_text(column: Column) -> str:
    """A column's title in the current language, as the template writes it."""
    return f"{column.title}*" if column.required else str(column.title)


COLUMN_ORDER = {column.code: index for index, column in enumerate(COLUMNS)}
