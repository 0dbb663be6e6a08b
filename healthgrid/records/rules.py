"""Pure archive rules: archive numbers, ID numbers, masking, ages, key populations,
contract terms. No Flask, no database."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from pypinyin import Style, pinyin
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError


@dataclass(frozen=True)
class ArchiveSettings:
    contract_years: int = 1
    contract_expiry_warning_days: int = 30
    elderly_age: int = 65
    child_max_age: int = 6


SETTINGS = ArchiveSettings()

RESIDENCE_TYPES = ("registered", "non_registered")
ARCHIVE_MEDIA = ("paper", "electronic")
BLOOD_TYPES = ("A", "B", "O", "AB", "unknown")
PAYMENT_TYPES = ("employee_insurance", "resident_insurance", "new_rural_cooperative",
                 "poverty_relief", "commercial", "self_paid", "public", "other")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
EXIT_STATUSES = ("moved_out", "deceased")
KEY_POPULATIONS = ("elderly", "hypertension", "diabetes", "child_0_6", "pregnant",
                   "severe_mental_illness", "disabled")

# ASCII digits only (\d would take any script's), as the API's document says (Phone).
MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")


def archive_number(county_code: str, township_code: str, community_code: str, seq: int) -> str:
    """17 digits: county (6) + township (3) + community (3) + sequence (5)."""
    if not (re.fullmatch(r"\d{6}", county_code or "") and re.fullmatch(r"\d{3}", township_code or "")
            and re.fullmatch(r"\d{3}", community_code or "")):
        raise ValueError("archive number needs 6+3+3 digit codes")
    if not 1 <= seq <= 99999:
        raise ValueError("community archive sequence exhausted")
    return f"{county_code}{township_code}{community_code}{seq:05d}"


def normalize_id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().replace(" ", "").upper()
    return value or None


def id_number_facts(id_number: str | None) -> tuple[date, str] | None:
    """(birth date, sex) a valid ID number encodes; None for one that is not valid."""
    number = (id_number or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number) or id_number_problem(number, None, None):
        return None
    return ric.get_birth_date(number), "male" if int(number[16]) % 2 == 1 else "female"


def id_number_problem(id_number: str, birth_date: date | None, sex: str | None) -> str | None:
    """Why an ID number is unacceptable for this person (a message key), or None.

    GB 11643: 17 digits and an ISO 7064 MOD 11-2 check character (X allowed last);
    digits 7–14 are the birth date, the 17th is odd for men and even for women."""
    if not re.fullmatch(r"\d{17}[\dX]", id_number):
        return "id_format"
    try:
        ric.get_birth_date(id_number)
    except ValidationError:
        return "id_birth_invalid"
    try:
        ric.validate(id_number)
    except InvalidChecksum:
        return "id_checksum"
    except InvalidComponent:  # the birth date is fine, so the area code is unknown
        return "id_area_unknown"
    except (InvalidLength, ValidationError):
        return "id_format"
    if birth_date is not None and ric.get_birth_date(id_number) != birth_date:
        return "id_birth_mismatch"
    encoded_sex = "male" if int(id_number[16]) % 2 == 1 else "female"
    if sex is not None and encoded_sex != sex:
        return "id_sex_mismatch"
    return None


def phone_ok(phone: str) -> bool:
    return bool(MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone))


def mask_id_number(id_number: str | None) -> str | None:
    """110105********002X: area code and the last four stay, the birth date goes."""
    if not id_number:
        return id_number
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """138****1234."""
    if not phone:
        return phone
    digits = phone.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birthday_at_age(birth_date: date, age: int) -> date:
    """The day someone reaches `age` (29 February birthdays count from 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return date(birth_date.year + age, 3, 1)


def latest_birth_date_for_age(day: date, age: int) -> date:
    """Everyone born on or before this date is at least `age` years old on `day`."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year that has none
        return date(day.year - age, 2, 28)


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date
    sex: str
    pregnant: bool = False
    severe_mental_illness: bool = False
    disabled: bool = False
    programs: frozenset[str] = frozenset()


def key_populations(person: PersonFacts, day: date,
                    settings: ArchiveSettings = SETTINGS) -> list[str]:
    """The key populations (重点人群) a person belongs to on a day, in a fixed order."""
    age = age_on(person.birth_date, day)
    found = {
        "elderly": age >= settings.elderly_age,
        "hypertension": "hypertension" in person.programs,
        "diabetes": "diabetes" in person.programs,
        "child_0_6": 0 <= age <= settings.child_max_age,
        "pregnant": person.pregnant,
        "severe_mental_illness": person.severe_mental_illness,
        "disabled": person.disabled,
    }
    return [name for name in KEY_POPULATIONS if found[name]]


def contract_end(start: date, settings: ArchiveSettings = SETTINGS) -> date:
    """A contract runs a year: the day before the same date a year later."""
    return birthday_at_age(start, settings.contract_years) - timedelta(days=1)


def renewal_start(current_end: date | None, day: date) -> date:
    """A renewal follows the current term without a gap, or starts today if it lapsed."""
    if current_end is not None and current_end >= day:
        return current_end + timedelta(days=1)
    return day


@lru_cache(maxsize=20000)
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    letters = pinyin(char, style=Style.FIRST_LETTER, heteronym=False, strict=False)
    return letters[0][0][:1].lower() if letters and letters[0] and letters[0][0] else ""


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 → zs. Cached per character, so bulk use is fast."""
    return "".join(_initial(ch) for ch in name)[:16]


@lru_cache(maxsize=20000)
def _syllable(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    found = pinyin(char, style=Style.NORMAL, heteronym=False, strict=False)
    return found[0][0].lower() if found and found[0] and found[0][0].isascii() else ""


def name_pinyin(name: str) -> str:
    """Full pinyin for search, without tones or spaces: 柳建国 → liujianguo."""
    return "".join(_syllable(ch) for ch in name)[:64]


def _tail(value: str | None) -> str | None:
    compact = "".join(ch for ch in (value or "") if ch.isalnum()).upper()
    return compact[-4:] if len(compact) >= 4 else None


def search_keys(name: str, phone: str | None, id_number: str | None) -> dict:
    """The columns the search box looks in besides the typed ones: pinyin initials and full
    pinyin of the name, the last four characters of the phone and of the ID number."""
    return {"name_initials": name_initials(name), "name_pinyin": name_pinyin(name),
            "phone_tail": _tail(phone), "id_tail": _tail(id_number)}


# What an entry of digits is, by its length (an ID number may end in X); up to 12 digits
# are (part of) a phone number.
_DIGITS_BY_LENGTH = {17: "archive_no", 18: "id_number",
                     **dict.fromkeys(range(13, 17), "archive_prefix"),
                     **dict.fromkeys(range(1, 13), "phone")}
_LANDLINE_DASHED = re.compile(r"0\d{2,3}-\d{7,8}")
_INITIALS = re.compile(r"[a-z]{1,64}")  # initials (zs) or full pinyin (zhangsan)
_TAIL = re.compile(r"\d{3}[\dX]")  # the last four of a phone or an ID number
_CJK_SPACES = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def classify_query(q: str) -> tuple[str, str]:
    """What a search box entry is: archive number, ID number, phone, initials or name.

    Full-width digits and letters (a Chinese input method's full-width mode) count as
    their ASCII selves; a name is searched as typed. Numbers are told by string tests, not
    patterns: the box is classified at every search, and an exact search itself takes a
    few microseconds (bench/search.py)."""
    q = q.strip()
    plain = unicodedata.normalize("NFKC", q)
    compact = plain.replace(" ", "").upper()
    if len(compact) == 4 and _TAIL.fullmatch(compact):
        return "tail", compact
    digits = compact[:-1] if len(compact) == 18 and compact[-1] == "X" else compact
    if digits.isascii() and digits.isdigit() and len(compact) in _DIGITS_BY_LENGTH:
        return _DIGITS_BY_LENGTH[len(compact)], compact
    if _LANDLINE_DASHED.fullmatch(plain):
        return "phone", plain
    if _INITIALS.fullmatch(plain.lower()):
        return "initials", plain.lower()
    # Chinese names have no spaces: 柳 建国 is 柳建国.
    return "name", _CJK_SPACES.sub("", q)
