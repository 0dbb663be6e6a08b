"""Step 5: hypertension, diabetes and elderly programs, a year of follow-ups and checks.

Every visit is classified by healthgrid.chronic.rules.classify() against the visit before
it, and every enrollment's schedule follows its latest visit or check, exactly as
record_followup()/record_check() leave them (referral limits are applied by the referrals
step). Rows go to the database as plain tuples, a batch at a time.
"""
from __future__ import annotations

from datetime import date
from random import Random

from healthgrid.chronic import rules
from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp, FollowUpMedicine
from healthgrid.records.models import ResidentHistory

from . import national
from .bulk import TupleWriter, Values
from .context import DemoContext, Person
from .recordkit import (RECORD_DAYS, WORKDAY_SECONDS, age_at, birthday_ordinal, team_accounts,
                        team_quality)

# Share of residents under management by age (lower bound of the band), before exits.
HTN_BY_AGE = ((35, 0.075), (45, 0.17), (55, 0.30), (65, 0.40), (75, 0.46))
DM_BY_AGE = ((35, 0.025), (45, 0.06), (55, 0.10), (65, 0.125), (75, 0.12))
DM_IF_HTN, DM_IF_NOT_HTN = 1.7, 0.75  # diabetes is more common among hypertensives
NEW_ENROLLMENT_SHARE = 0.12            # enrolled in the last year
REFUSED, MISDIAGNOSIS = 0.012, 0.004    # exits of living residents
LOST_TO_FOLLOW_UP = 0.025               # stop coming at some point of the year
URGENT_VISIT = 0.015
ADVERSE_PRONE, ADVERSE_PRONE_RATE, ADVERSE_RATE = 0.04, 0.35, 0.012
COMPLICATION_RATE = 0.01
CHECK_SHARE = (0.76, 0.66)  # elderly with a check in the last year, in the year before
SCREEN_POSITIVE = 0.2       # elderly outside hypertension care with high BP at the check
# (share of patients, chance of being at target at a visit)
CONTROL = {"hypertension": ((0.65, 0.9), (0.2, 0.6), (0.15, 0.3)),
           "diabetes": ((0.55, 0.86), (0.25, 0.55), (0.2, 0.28))}

HTN_DRUGS = ("氨氯地平片 5mg qd", "硝苯地平控释片 30mg qd", "缬沙坦胶囊 80mg qd",
             "厄贝沙坦片 150mg qd", "美托洛尔缓释片 47.5mg qd", "氢氯噻嗪片 12.5mg qd",
             "培哚普利片 4mg qd", "替米沙坦片 40mg qd")
DM_DRUGS = ("二甲双胍片 0.5g tid", "格列美脲片 2mg qd", "阿卡波糖片 50mg tid",
            "西格列汀片 100mg qd", "甘精胰岛素注射液 12U qn", "达格列净片 10mg qd")
OTHER_SYMPTOMS = ("dizziness", "headache", "numbness", "edema")
LAB_RESULTS = ("血常规、尿常规未见异常；肝功能、肾功能正常；血脂正常",
               "血常规正常；总胆固醇 5.9 mmol/L 偏高；肝肾功能正常",
               "尿蛋白 (+)；肾功能正常；血脂正常",
               "血常规正常；甘油三酯 2.1 mmol/L 偏高；心电图：窦性心律",
               "心电图：窦性心律，ST-T 改变；腹部 B 超：脂肪肝")
GUIDANCE = ("健康生活方式指导：低盐低脂饮食，适量运动", "防跌倒指导；骨质疏松预防",
            "定期监测血压，一周后复测", "戒烟限酒；控制体重", "疫苗接种提示：流感疫苗、肺炎疫苗",
            "认知功能初筛正常，注意情感状态")

FOLLOWUP_COLUMNS = ("id", "enrollment_id", "visit_date", "method", "sbp", "dbp", "fpg",
                    "heart_rate", "temperature", "weight", "height", "symptoms",
                    "adverse_reaction", "new_complication", "pregnant_or_lactating",
                    "medication_adherence", "drugs", "note", "classification", "at_target",
                    "referral", "reasons", "next_due_date", "recorded_by_id", "created_at",
                    *national.FOLLOWUP_NATIONAL)
ENROLLMENT_COLUMNS = ("id", "resident_id", "program", "enrolled_on", "status", "exit_reason",
                      "exited_on", "next_due_date", "last_referral", "last_visit_date",
                      "created_at", "version")
CHECK_COLUMNS = ("id", "enrollment_id", "check_date", "eating", "washing", "dressing",
                 "toileting", "mobility", "selfcare_score", "selfcare_level", "sbp", "dbp",
                 "weight", "height", "bmi", "fpg", "lab_results", "guidance", "flags",
                 "next_due_date", "recorded_by_id", "created_at", "details")
HISTORY_COLUMNS = ("resident_id", "kind", "code", "on_date")


class Schedule:
    """A hypertension/diabetes enrollment as the referrals step needs it."""
    __slots__ = ("enrollment_id", "program", "enrolled", "enrolled_seconds", "exited",
                 "last_visit", "last_seconds", "due")

    def __init__(self, enrollment_id, program, enrolled, enrolled_seconds, exited,
                 last_visit, last_seconds, due):
        self.enrollment_id, self.program = enrollment_id, program
        self.enrolled, self.enrolled_seconds, self.exited = enrolled, enrolled_seconds, exited
        # When the latest visit was recorded: a referral that day counts after it only.
        self.last_visit, self.last_seconds, self.due = last_visit, last_seconds, due


def create_programs(ctx: DemoContext) -> None:
    Programs(ctx).run()


def _rate(table: tuple, age: int) -> float:
    rate = 0.0
    for lower, value in table:
        if age >= lower:
            rate = value
    return rate


class Programs:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng: Random = ctx.rng("programs")
        self.values = Values()
        self.as_of = ctx.as_of.toordinal()
        self.window_start = self.as_of - RECORD_DAYS + 1
        self.team_of_grid = {g.id: g.team_id for g in ctx.grids}
        self.accounts = team_accounts(ctx)
        self.quality = team_quality(ctx)
        self.enrollments = TupleWriter(Enrollment.__table__, ENROLLMENT_COLUMNS,
                                       ctx.batch_size)
        self.followups = TupleWriter(FollowUp.__table__, FOLLOWUP_COLUMNS, ctx.batch_size,
                                     parents=(self.enrollments,))
        self.checks = TupleWriter(ElderlyCheck.__table__, CHECK_COLUMNS, ctx.batch_size,
                                  parents=(self.enrollments,))
        # The national sheets' fields come from a generator of their own (demo/national.py):
        # the visits, classifications and schedules stay what they were.
        self.nat = ctx.rng("national-forms")
        self.medicines = TupleWriter(FollowUpMedicine.__table__, national.MEDICINE_COLUMNS,
                                     ctx.batch_size, parents=(self.followups,))
        self.history = TupleWriter(ResidentHistory.__table__, HISTORY_COLUMNS, ctx.batch_size)
        self.days = {}

    def day(self, ordinal: int) -> date:
        value = self.days.get(ordinal)
        if value is None:
            value = self.days[ordinal] = date.fromordinal(ordinal)
        return value

    def run(self) -> None:
        ctx = self.ctx
        for index, person in enumerate(ctx.people):
            self.person(index, person)
        counts = {"enrollments": self.enrollments.close(), "follow_ups": self.followups.close(),
                  "elderly_checks": self.checks.close(),
                  "follow_up_medicines": self.medicines.close(),
                  "history_rows": self.history.close()}
        ctx.counts.update(counts)

    def recorder(self, person: Person) -> int | None:
        accounts = self.accounts.get(self.team_of_grid.get(person.grid_id))
        if not accounts:
            return None
        return accounts[0] if len(accounts) == 1 or self.rng.random() < 0.7 else accounts[1]

    # --- one resident ----------------------------------------------------------------

    def person(self, index: int, person: Person) -> None:
        random = self.rng.random
        end = person.status_date.toordinal() if person.status_date else self.as_of
        age = age_at(person.birth, end)
        htn = dm = False
        if age >= 35:
            htn = random() < _rate(HTN_BY_AGE, age)
            dm = random() < _rate(DM_BY_AGE, age) * (DM_IF_HTN if htn else DM_IF_NOT_HTN)
        htn_span = None
        if htn:
            htn_span = self.chronic(index, person, "hypertension", end)
        dm_span = None
        if dm:
            dm_span = self.chronic(index, person, "diabetes", end)
        if age >= 65:
            self.elderly(person, end, htn_span, dm_span)

    def enrollment_date(self, person: Person, end: int) -> int | None:
        random = self.rng.random
        earliest = max(person.created_on.toordinal(), birthday_ordinal(person.birth, 30),
                       self.as_of - 12 * 365)
        last = end - 1 if person.status_date else end
        if earliest > last:
            return None
        if random() < NEW_ENROLLMENT_SHARE or last - RECORD_DAYS <= earliest:
            lo = max(earliest, last - RECORD_DAYS + 1)
            return lo + int(random() * (last - lo + 1))
        return earliest + int(random() * (last - RECORD_DAYS - earliest + 1))

    def chronic(self, index: int, person: Person, program: str, end: int):
        rng, random = self.rng, self.rng.random
        enrolled = self.enrollment_date(person, end)
        if enrolled is None:
            return None
        exited = reason = None
        if person.status_date:
            exited, reason = end, person.status
        else:
            roll = random()
            if roll < REFUSED + MISDIAGNOSIS and enrolled < self.as_of:
                reason = "refused" if roll < REFUSED else "misdiagnosis"
                span = min(self.as_of - enrolled, 180 if reason == "misdiagnosis" else 3000)
                exited = enrolled + 1 + int(random() * span)
        enrollment_id = self.enrollments.take_id()
        enrolled_seconds = int(random() * WORKDAY_SECONDS)
        # The disease in the past history, diagnosed when the management began.
        self.history.add((person.id, "disease", program, self.values.day(enrolled)))

        # A patient's habits: how well controlled, which drugs, how regular.
        shares = CONTROL[program]
        roll, target_rate = random(), shares[-1][1]
        for share, rate in shares:
            if roll < share:
                target_rate = rate
                break
            roll -= share
        quality = self.quality.get(self.team_of_grid.get(person.grid_id), 1.0)
        # A weaker team has fewer patients at target, more so for the poorly controlled.
        target_rate = min(0.97, target_rate * quality ** 3)
        prone = random() < ADVERSE_PRONE
        # The free-text regimen of earlier demos is still drawn (and dropped): the visits
        # after it keep their random stream; the medicines are rows now (demo/national.py).
        rng.sample(HTN_DRUGS if program == "hypertension" else DM_DRUGS,
                   1 if random() < 0.6 else 2)
        adherence = "regular" if random() < 0.75 else (
            "intermittent" if random() < 0.8 else "none")
        male = person.sex == "male"
        height = round((158 if male else 148) + random() * 22, 0)
        weight = round((height / 100) ** 2 * (20 + random() * 10), 1)
        habits = national.Habits(self.nat, program, male, height)
        stop = self.as_of if exited is None else exited - 1
        if random() < LOST_TO_FOLLOW_UP:
            stop = min(stop, self.window_start + int(random() * RECORD_DAYS))

        first_due = rules.first_due_date(program, self.day(enrolled)).toordinal()
        if enrolled >= self.window_start:
            visit = first_due + _lateness(random)
        else:
            visit = self.window_start + int(random() * 100)
        visit = max(visit, enrolled)
        previous = None
        due, last_visit, last_referral, last_seconds = first_due, None, None, 0
        rows = []  # written after the enrollment row they refer to
        while visit <= stop:
            outcome, adverse = self.visit(rows, index, person, enrollment_id, program, visit,
                                          previous, target_rate, prone, adherence, habits,
                                          weight, height)
            previous = rules.Previous(outcome.at_target, adverse)
            due = outcome.next_due_date.toordinal()
            last_visit, last_referral = visit, outcome.referral
            last_seconds = self.recorded_seconds
            visit = max(visit + 1, due + _lateness(random) + _missed(random, quality))

        values = self.values
        self.enrollments.add((
            enrollment_id, person.id, program, values.day(enrolled),
            "active" if exited is None else "exited", reason, values.day(exited),
            values.day(due), last_referral, values.day(last_visit),
            values.moment(enrolled, enrolled_seconds), 1))
        for row in rows:
            self.followups.add(row)
            for position, (name, times, dose, unit) in enumerate(habits.medicines):
                self.medicines.add((row[0], position, name, times, dose, unit))
        if enrolled <= self.as_of and (exited is None or exited > self.as_of):
            self.ctx.chronic_on_as_of.add(person.id)
        self.ctx.schedules.setdefault(person.id, []).append(Schedule(
            enrollment_id, program, enrolled, enrolled_seconds, exited, last_visit, last_seconds,
            due))
        return enrolled, exited

    def visit(self, rows, index, person, enrollment_id, program, ordinal, previous, target_rate,
              prone, adherence, habits, weight, height):
        rng, random = self.rng, self.rng.random
        age = age_at(person.birth, ordinal)
        symptoms: tuple[str, ...] = ()
        fpg = temperature = None
        heart_rate = 62 + int(random() * 34)
        urgent = random() < URGENT_VISIT
        at_target = random() < target_rate
        if program == "hypertension":
            limit = 150 if age >= 65 else 140
            if urgent and random() < 0.65:  # hypertensive crisis
                sbp, dbp = 180 + int(random() * 26), 92 + int(random() * 24)
                if random() < 0.4:
                    symptoms = ("severe_headache",)
            else:
                if urgent:
                    symptoms = (rng.choice(rules.HTN_URGENT_SYMPTOMS),)
                if at_target and not urgent:
                    sbp, dbp = 108 + int(random() * (limit - 108)), 62 + int(random() * 28)
                elif random() < 0.75:
                    sbp, dbp = limit + int(random() * (178 - limit)), 78 + int(random() * 24)
                else:
                    sbp, dbp = 120 + int(random() * (limit - 120)), 90 + int(random() * 15)
        else:
            sbp, dbp = 112 + int(random() * 52), 66 + int(random() * 32)
            if urgent:
                kind = random()
                if kind < 0.55:
                    fpg = round(16.7 + random() * 7, 1)
                elif kind < 0.7:
                    fpg = round(2.8 + random() * 1.1, 1)
                else:
                    fpg = round(7.0 + random() * 7.5, 1)
                    if kind < 0.8:
                        heart_rate = 101 + int(random() * 20)
                    else:
                        symptoms = (rng.choice(rules.DM_URGENT_SYMPTOMS),)
            elif at_target:
                fpg = round(4.4 + random() * 2.5, 1)
            else:
                fpg = round(7.0 + random() * 7.5, 1)
        if not symptoms and random() < 0.08:
            symptoms = (rng.choice(OTHER_SYMPTOMS),)
        adverse = random() < (ADVERSE_PRONE_RATE if prone else ADVERSE_RATE)
        complication = random() < COMPLICATION_RATE
        method_roll = random()
        method = "clinic" if method_roll < 0.55 else "home" if method_roll < 0.75 else "phone"
        if method != "phone" and random() < 0.5:
            temperature = round(36.2 + random() * 1.0, 1)
        visit_weight = None if method == "phone" else round(weight + (random() - 0.5) * 3, 1)

        outcome = rules.classify(rules.Visit(
            program=program, visit_date=self.day(ordinal), age=age, sbp=sbp, dbp=dbp, fpg=fpg,
            heart_rate=heart_rate, temperature=temperature, symptoms=symptoms,
            adverse_reaction=adverse, new_complication=complication), previous)
        values = self.values
        row_id = self.followups.take_id()
        recorded = self.recorded_seconds = int(random() * WORKDAY_SECONDS)
        rows.append((
            row_id, enrollment_id, values.day(ordinal), method, sbp, dbp, fpg,
            heart_rate, temperature, visit_weight, None if method == "phone" else height,
            ",".join(symptoms) or None, adverse, complication, False,
            adherence if random() < 0.9 else ("intermittent" if adherence == "regular"
                                               else adherence),
            None, None, outcome.classification, outcome.at_target, outcome.referral,
            ",".join(outcome.reasons) or None, values.date(outcome.next_due_date),
            self.recorder(person), values.moment(ordinal, recorded),
            *national.visit_fields(self.nat, habits, program, values.day(ordinal - 3), fpg)))
        if outcome.referral != "none":
            self.ctx.flagged_visits.append((row_id, index, enrollment_id, program, ordinal,
                                            outcome.referral, outcome.reasons, sbp, dbp, fpg,
                                            symptoms, recorded))
        return outcome, adverse

    # --- elderly -----------------------------------------------------------------------

    def elderly(self, person: Person, end: int, htn_span, dm_span=None) -> None:
        random = self.rng.random
        enrolled = max(birthday_ordinal(person.birth, 65), person.created_on.toordinal())
        exited = end if person.status_date else None
        if enrolled > self.as_of or (exited is not None and enrolled >= exited):
            return
        enrollment_id = self.enrollments.take_id()
        last_day = self.as_of if exited is None else exited - 1
        age = age_at(person.birth, end)
        frail = random() < (0.03 if age < 75 else 0.10 if age < 85 else 0.28)
        quality = self.quality.get(self.team_of_grid.get(person.grid_id), 1.0)
        male = person.sex == "male"
        height = round((156 if male else 146) + random() * 20, 0)
        weight = round((height / 100) ** 2 * (19 + random() * 10), 1)
        due, last_check = enrolled, None
        rows = []  # written after the enrollment row they refer to
        for year in (1, 0):  # the year before the last, then the last year
            hi = self.as_of - year * RECORD_DAYS
            lo = hi - RECORD_DAYS + 1
            lo, hi = max(lo, enrolled), min(hi, last_day)
            if lo > hi or random() >= CHECK_SHARE[year] * quality ** 1.5:
                continue
            day = lo + int(random() * (hi - lo + 1))
            rows.append(self.check(person, enrollment_id, day, frail, height, weight,
                                   htn_span, dm_span))
            due, last_check = day + rules.SETTINGS.check_interval_days, day
        values = self.values
        self.enrollments.add((
            enrollment_id, person.id, "elderly", values.day(enrolled),
            "active" if exited is None else "exited", person.status if exited else None,
            values.day(exited), values.day(due), None, values.day(last_check),
            values.moment(enrolled, int(random() * WORKDAY_SECONDS)), 1))
        for row in rows:
            self.checks.add(row)

    def check(self, person, enrollment_id, day, frail, height, weight, htn_span,
              dm_span=None) -> tuple:
        random = self.rng.random
        levels = dict.fromkeys(rules.SELFCARE_ITEMS, 0)
        if frail:
            for item in rules.SELFCARE_ITEMS:
                roll = random()
                levels[item] = 0 if roll < 0.4 else 1 if roll < 0.7 else 2 if roll < 0.9 else 3
        elif random() < 0.04:
            levels[self.rng.choice(rules.SELFCARE_ITEMS)] = 1
        score = rules.selfcare_score(levels)
        in_htn, in_dm = (span is not None and span[0] <= day and (
            span[1] is None or day < span[1]) for span in (htn_span, dm_span))
        if in_htn:
            sbp, dbp = 118 + int(random() * 45), 66 + int(random() * 30)
        elif random() < SCREEN_POSITIVE:
            sbp, dbp = 140 + int(random() * 26), 80 + int(random() * 20)
        else:
            sbp, dbp = 100 + int(random() * 40), 60 + int(random() * 30)
        check_weight = round(weight + (random() - 0.5) * 4, 1)
        fpg = round(4.4 + random() * (2.6 if random() < 0.9 else 5.0), 1) \
            if random() < 0.75 else None
        values = self.values
        return (
            self.checks.take_id(), enrollment_id, values.day(day), levels["eating"],
            levels["washing"], levels["dressing"], levels["toileting"], levels["mobility"],
            score, rules.selfcare_level(score), sbp, dbp, check_weight, height,
            rules.bmi(check_weight, height), fpg, self.rng.choice(LAB_RESULTS),
            self.rng.choice(GUIDANCE),
            ",".join(rules.screening_flags(sbp, dbp, fpg, in_htn, in_dm)) or None,
            values.date(rules.check_next_due(self.day(day))), self.recorder(person),
            values.moment(day, int(random() * WORKDAY_SECONDS)),
            national.check_details(self.nat, person.sex == "male", frail, fpg))


def _missed(random, quality: float) -> int:
    """A weaker team lets some visits slip by a month or two (fewer visits in the year)."""
    if quality < 1 and random() < (1 - quality) * 1.2:
        return 20 + int(random() * 40)
    return 0


def _lateness(random) -> int:
    """Days between the due date and the visit: most come around it, some weeks late."""
    roll = random()
    if roll < 0.4:
        return -1 - int(random() * 10)
    if roll < 0.82:
        return int(random() * 6)
    if roll < 0.94:
        return 6 + int(random() * 15)
    return 21 + int(random() * 55)

