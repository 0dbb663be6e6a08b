"""Step 4: households and residents, written in bulk (a million residents in minutes)."""
from __future__ import annotations

from datetime import date
from random import Random

from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid
from healthgrid.records.models import Household, Resident
from healthgrid.records.rules import archive_number, search_keys

from . import national, synth
from .bulk import insert_rows, next_id, prepare_bulk_session, reset_sequences, update_by_id
from .context import CommunityPlan, DemoContext, GridPlan, Person

ARCHIVES_SINCE_YEARS = 14  # the district's archives date from its first campaigns
REGISTERED_SHARE = {"residential": 0.78, "township": 0.8, "village": 0.92}

_ETHNICITIES = ("汉族", "满族", "回族", "蒙古族", "朝鲜族", "土家族", "壮族", "苗族", "维吾尔族")
_ETHNICITY_CUM = synth.cumulative((955, 15, 15, 5, 3, 2, 2, 2, 1))
_BLOOD_TYPES = ("A", "B", "O", "AB", "unknown")
_BLOOD_CUM = synth.cumulative((27, 29, 27, 9, 8))
# 城镇职工基本医疗保险, 城乡居民基本医疗保险, 公费医疗, 商业医疗保险, 贫困救助, 全自费, 其他
_PAYMENTS = ("employee_insurance", "resident_insurance", "public", "commercial",
             "poverty_relief", "self_paid", "other")
_PAYMENT_CUM = {
    "adult": synth.cumulative((55, 32, 3, 2, 1, 6, 1)),
    "village": synth.cumulative((15, 78, 0, 1, 2, 3, 1)),
    "child": synth.cumulative((0, 92, 0, 3, 1, 4, 0)),
}
_ALLERGIES = ("青霉素", "磺胺", "链霉素", "头孢类抗生素", "花粉", "海鲜", "青霉素、磺胺")
_PAST = ("冠心病", "脑卒中", "慢性阻塞性肺疾病", "恶性肿瘤", "结核病", "肝炎", "骨折",
         "阑尾切除术后", "胆囊切除术后", "哮喘")
_FAMILY = ("父亲：高血压", "母亲：高血压", "父亲：糖尿病", "母亲：糖尿病", "父亲：脑卒中",
           "母亲：冠心病", "父母：高血压", "父亲：恶性肿瘤")
_DISABILITIES = ("肢体残疾", "视力残疾", "听力残疾", "言语残疾", "智力残疾", "精神残疾")


def create_population(ctx: DemoContext) -> None:
    rng = ctx.rng("population")
    profile_rng = ctx.rng("national-profile")
    writer = _Writer(ctx)
    ids = synth.IdNumbers(ctx.rng("id_numbers"))
    prepare_bulk_session()
    next_household = next_id(Household.__table__)
    next_resident = next_id(Resident.__table__)
    grid_households: list[tuple[int, int]] = []

    for community in ctx.communities:
        households, residents = [], []
        for grid in community.grids:
            made = _grid_population(rng, ctx, grid, ids, next_household, next_resident)
            households.extend(made[0])
            residents.extend(made[1])
            next_household += len(made[0])
            next_resident += len(made[1])
            grid.households = len(made[0])
            official = round(grid.households * (0.95 + rng.random() * 0.1))
            grid_households.append((grid.id, official))
        _number_archives(ctx, community, residents)
        _add_profiles(profile_rng, ctx, residents)
        ctx.people.extend(_person(row) for row in residents)
        writer.add(households, residents)
    writer.flush()

    update_by_id(Grid.__table__, ("households",), grid_households)
    update_by_id(Community.__table__, ("archive_seq",),
                 [(c.id, c.archive_seq) for c in ctx.communities])
    reset_sequences(Household.__table__, Resident.__table__)
    db.session.commit()
    ctx.counts.update(households=writer.households, residents=writer.residents)


_DISABILITY_CODES = dict(zip(_DISABILITIES, ("physical", "visual", "hearing", "speech",
                                             "intellectual", "mental")))


def _add_profiles(rng: Random, ctx: DemoContext, residents: list[dict]) -> None:
    """The personal basic information choices (demo/national.py), from a generator of
    their own: the rest of the population is drawn as before."""
    as_of = ctx.as_of
    for row in residents:
        birth = row["birth_date"]
        age = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
        row.update(national.profile_fields(rng, age, row["allergies"], row["payment_type"]))
        row["disabilities"] = _DISABILITY_CODES.get(row["disability"]) if row["disabled"] \
            else ("none" if rng.random() < 0.8 else None)
        if row["disabilities"]:
            row["disability"] = None if row["disabilities"] != "other" else row["disability"]


def _person(row: dict) -> Person:
    return Person(row["id"], row["grid_id"], row["name"], row["sex"], row["birth_date"],
                  row["id_number"], row["phone"], row["status"], row["status_date"],
                  row["created_on"], row["pregnant"], row["severe_mental_illness"],
                  row["disabled"], row["past_history"])


def _number_archives(ctx: DemoContext, community: CommunityPlan, residents: list[dict]) -> None:
    """Archive numbers follow the order of registration within the community."""
    residents.sort(key=lambda r: (r["created_on"], r["id"]))
    seq = community.archive_seq
    for row in residents:
        seq += 1
        row["archive_no"] = archive_number(ctx.county_code, ctx.township_code, community.code,
                                           seq)
    community.archive_seq = seq
    residents.sort(key=lambda r: r["id"])  # insert in id order: cheaper for the B-trees


class _Writer:
    """Buffers rows and writes them in batches, one commit per batch."""

    def __init__(self, ctx: DemoContext):
        self.batch = ctx.batch_size
        self.progress = ctx.progress
        self.pending_households: list[dict] = []
        self.pending_residents: list[dict] = []
        self.households = self.residents = 0

    def add(self, households: list[dict], residents: list[dict]) -> None:
        self.pending_households.extend(households)
        self.pending_residents.extend(residents)
        if len(self.pending_residents) >= self.batch:
            self.flush()

    def flush(self) -> None:
        insert_rows(Household.__table__, self.pending_households)
        self.households += len(self.pending_households)
        self.pending_households = []
        rows, self.pending_residents = self.pending_residents, []
        for start in range(0, len(rows), self.batch):
            chunk = rows[start:start + self.batch]
            insert_rows(Resident.__table__, chunk)
            db.session.commit()
            self.residents += len(chunk)
            if self.progress:
                self.progress(len(chunk))
        db.session.commit()


def _grid_population(rng: Random, ctx: DemoContext, grid: GridPlan, ids: synth.IdNumbers,
                     household_id: int, resident_id: int) -> tuple[list[dict], list[dict]]:
    as_of = ctx.as_of
    as_of_ord = as_of.toordinal()
    window_start = as_of_ord - ARCHIVES_SINCE_YEARS * 365
    sizes = []
    remaining = grid.target
    while remaining > 0:
        size = min(synth.household_size(rng), remaining)
        sizes.append(size)
        remaining -= size
    # Households are spread over the grid's addresses; the rest are empty or not homes.
    slots = sorted(rng.sample(range(max(grid.layout.capacity, len(sizes))), len(sizes)))
    registered_share = REGISTERED_SHARE[grid.kind]
    payment_cum_adult = _PAYMENT_CUM["village" if grid.kind == "village" else "adult"]
    random = rng.random
    households: list[dict] = []
    residents: list[dict] = []

    for size, slot in zip(sizes, slots):
        registered = random() < registered_share
        if registered:
            family_area = synth.HOME_AREA if random() < 0.75 else rng.choice(
                synth.LOCAL_AREAS if random() < 0.6 else synth.OTHER_AREAS)
            # Most archives were made in the first campaigns, the rest year by year.
            start = window_start if random() < 0.5 else window_start + 3 * 365
            opened = start + int(random() * (as_of_ord - start))
        else:  # migrants: newer archives, ID numbers from their home provinces
            family_area = rng.choice(synth.OTHER_AREAS)  # made valid per birth year
            opened = as_of_ord - int(random() * 6 * 365)
        residence_type = "registered" if registered else "non_registered"
        head_phone = None
        head_name = None
        household_active = False
        first_id = resident_id

        for relation, sex, age, family in synth.household_members(rng, size):
            birth = synth.birth_date(rng, age, as_of)
            birth_ord = birth.toordinal()
            name = family + synth.given_name(rng, sex, birth.year)
            area = family_area if random() < 0.85 else rng.choice(
                synth.LOCAL_AREAS if registered else synth.OTHER_AREAS)
            if (age < 1 and random() < 0.5) or random() < 0.04:
                id_number = None
            else:
                id_number = ids.make(area, birth, sex == "male")
            phone = None if age < 12 or random() >= 0.94 else synth.mobile(rng)
            created = opened if birth_ord < opened else min(
                as_of_ord, birth_ord + 3 + int(random() * 60))
            if relation != "head" and random() < 0.06:  # joined the household later
                created += int(random() * (as_of_ord - created))
            created_on = date.fromordinal(created)
            created_at = ctx.timestamp(created_on, rng)

            status, status_date, updated_at = "active", None, created_at
            death_risk = (0.06 if age >= 85 else 0.025 if age >= 75 else 0.01 if age >= 65
                          else 0.001)
            roll = random()
            if created < as_of_ord and roll < death_risk + 0.012:
                status = "deceased" if roll < death_risk else "moved_out"
                status_date = date.fromordinal(created + 1 + int(random() * (as_of_ord - created)))
                updated_at = ctx.timestamp(status_date, rng)
            else:
                household_active = True

            adult = age >= 18
            disabled = random() < (0.04 if age >= 65 else 0.013)
            severe_mental = age >= 15 and random() < 0.0035
            if severe_mental and random() < 0.3:
                disabled = True
            disability = None
            if disabled:
                disability = "精神残疾" if severe_mental else rng.choice(_DISABILITIES[:5])
            residents.append({
                "id": resident_id,
                "household_id": household_id,
                "grid_id": grid.id,
                "archive_no": None,
                "name": name,
                **search_keys(name, phone, id_number),
                "sex": sex,
                "birth_date": birth,
                "id_number": id_number,
                "phone": phone,
                "relation_to_head": relation,
                "residence_type": residence_type,
                "ethnicity": synth.weighted_choice(rng, _ETHNICITIES, _ETHNICITY_CUM),
                "blood_type": synth.weighted_choice(rng, _BLOOD_TYPES, _BLOOD_CUM),
                "payment_type": synth.weighted_choice(
                    rng, _PAYMENTS, payment_cum_adult if adult else _PAYMENT_CUM["child"]),
                "allergies": rng.choice(_ALLERGIES) if random() < 0.07 else None,
                "past_history": (rng.choice(_PAST) if age >= 30 and random() < 0.04 + age / 800
                                 else None),
                "family_history": rng.choice(_FAMILY) if random() < 0.12 else None,
                "disability": disability,
                "pregnant": (sex == "female" and 20 <= age <= 40 and status == "active"
                             and random() < 0.035),
                "severe_mental_illness": severe_mental,
                "disabled": disabled,
                "archive_medium": "paper" if random() < (
                    0.16 if created < window_start + 6 * 365 else 0.04) else "electronic",
                "status": status,
                "status_date": status_date,
                "created_on": created_on,
                "created_at": created_at,
                "updated_at": updated_at,
                "version": 1,
            })
            if relation == "head":
                head_name, head_phone = name, phone
            elif head_phone is None:
                head_phone = phone
            resident_id += 1

        first_day = min(r["created_on"] for r in residents[first_id - resident_id:])
        households.append({
            "id": household_id,
            "grid_id": grid.id,
            "address": grid.layout.address(slot),
            "head_name": head_name,
            "phone": head_phone or synth.mobile(rng),
            "active": household_active,
            "created_at": ctx.timestamp(first_day, rng),
        })
        household_id += 1
    return households, residents
