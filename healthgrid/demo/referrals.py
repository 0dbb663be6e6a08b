"""Step 7: two-way referrals in every state, each with its history of transitions.

Up referrals follow urgent (and some suggested) follow-up visits, plus clinic referrals to
specialists; down referrals come from the district hospital, routed to the team of the
patient's grid as referral.services.route() does (people with no archive here wait in the
centre's unassigned queue). Transitions follow referral.rules.TRANSITIONS, by the demo
accounts of the side allowed to act, at plausible times up to as_of. Afterwards the
hypertension/diabetes schedules are capped as the referral services leave them.
"""
from __future__ import annotations

from datetime import date
from random import Random

from healthgrid.chronic.rules import SETTINGS as FOLLOWUP_SETTINGS
from healthgrid.chronic.models import Enrollment
from healthgrid.extensions import db
from healthgrid.referral import rules
from healthgrid.referral.models import Referral, ReferralEvent
from healthgrid.records.models import Resident

from . import synth
from .bulk import TupleWriter, Values, update_by_id
from .context import DemoContext, Person
from .recordkit import RECORD_DAYS, WORKDAY_SECONDS, age_at, team_accounts, user_ids

DAY = 86400  # a moment is ordinal * DAY + seconds after 08:00 in the centre
UP_FROM_URGENT, UP_FROM_SUGGESTED = 0.65, 0.02
CLINIC_UP_PER_1000 = 1.0    # up referrals not prompted by a follow-up, per year
DOWN_PER_1000 = 3.0         # discharges sent back to the community, per year
DOWN_AFTER_UP = 0.25        # completed up referrals that come back down
UNKNOWN_SHARE = 0.06        # down referrals of people with no archive here
DOWN_LATE_VISIT = 0.15      # down referrals visited after the 14 days

REFERRAL_COLUMNS = (
    "id", "direction", "urgency", "status", "resident_id", "patient_name", "patient_sex",
    "patient_birth_date", "id_number", "from_institution_id", "to_institution_id",
    "department", "from_team_id", "assigned_team_id", "referred_on", "reason",
    "initial_impression", "past_history", "treatment", "diagnosis", "inpatient_no",
    "key_results", "treatment_advice", "rehab_advice", "feedback", "contact_doctor",
    "contact_phone", "followup_id", "visit_due_date", "visited_on", "created_by_id",
    "created_at", "version")
EVENT_COLUMNS = ("id", "referral_id", "from_status", "to_status", "action", "user_id",
                 "username", "at", "note")

SYMPTOM_TEXT = {
    "consciousness": "意识改变", "severe_headache": "剧烈头痛、头晕", "vomiting": "恶心呕吐",
    "vision": "视物模糊、眼痛", "palpitation": "心悸、胸闷", "dyspnea": "喘憋不能平卧",
    "chest_pain": "心前区疼痛", "ketone_breath": "呼气有烂苹果味", "sweating": "大汗",
    "polyuria": "口渴多饮、多尿", "abdominal_pain": "腹痛", "deep_breathing": "深大呼吸",
    "flushed_skin": "皮肤潮红", "vision_loss": "视力骤降", "dizziness": "头晕",
    "headache": "头痛", "numbness": "肢体麻木", "edema": "下肢水肿"}
# (impression, department, what the hospital found and did)
CLINIC_UP = (
    ("疑似冠心病，活动后胸闷", "心内科", "冠脉CTA：前降支中度狭窄；予冠心病二级预防治疗"),
    ("双眼白内障", "眼科", "行右眼白内障超声乳化摘除+人工晶体植入术，术后视力0.8"),
    ("体检发现肺部结节，性质待查", "胸外科", "胸部CT随访：磨玻璃结节 6mm，建议12个月复查"),
    ("慢性阻塞性肺疾病急性加重", "呼吸内科", "抗感染、平喘治疗后好转出院"),
    ("双膝骨关节炎，疼痛加重", "骨科", "予关节腔注射及康复指导"),
    ("短暂性脑缺血发作？", "神经内科", "头颅MRI未见新发梗死，予抗血小板治疗"),
    ("甲状腺结节", "普外科", "超声 TI-RADS 3 类，定期复查"),
    ("便血待查", "消化内科", "肠镜：内痔，予对症治疗"))
# (diagnosis, department, key results, treatment advice, rehabilitation advice)
DISCHARGES = (
    ("急性脑梗死恢复期", "神经内科", "头颅MRI：左侧基底节区急性梗死灶",
     "阿司匹林肠溶片 100mg qd；阿托伐他汀钙片 20mg qn", "肢体功能康复训练，防跌倒"),
    ("冠心病 经皮冠状动脉介入治疗术后", "心内科", "冠脉造影：前降支近段狭窄90%，置入支架1枚",
     "阿司匹林 100mg qd；氯吡格雷 75mg qd；阿托伐他汀 20mg qn", "心脏康复：循序渐进有氧运动"),
    ("高血压3级（极高危）", "心内科", "心脏超声：左室壁增厚；肾功能正常",
     "氨氯地平片 5mg qd；缬沙坦胶囊 80mg qd", "低盐饮食，家庭自测血压"),
    ("2型糖尿病 酮症酸中毒纠正后", "内分泌科", "入院血糖 22.4 mmol/L，尿酮体(+++)，已纠正",
     "甘精胰岛素注射液 14U qn；二甲双胍片 0.5g tid", "糖尿病饮食，监测血糖"),
    ("股骨颈骨折 髋关节置换术后", "骨科", "术后复查X线：假体位置良好",
     "钙尔奇D 1片 qd；利伐沙班 10mg qd（至术后5周）", "髋关节功能锻炼，助行器行走"),
    ("慢性阻塞性肺疾病急性加重期 好转", "呼吸内科", "血气分析：PaCO2 48 mmHg",
     "噻托溴铵粉吸入剂 18μg qd", "呼吸功能锻炼，家庭氧疗"),
    ("社区获得性肺炎 治愈", "呼吸内科", "胸部CT：右下肺炎症较前吸收", "无需继续用药",
     "注意休息，一周后复查血常规"))
UP_REJECT = ("本院该专科床位已满，建议转市级医院", "经评估暂无转诊指征，建议社区继续管理并调整用药")
UP_CANCEL = ("患者及家属拒绝转诊", "症状缓解，患者暂不愿转诊", "患者自行前往其他医院就诊")
DOWN_REJECT = ("经核实患者现居住地不在本中心服务范围", "患者已由其他社区卫生服务中心签约管理")
DOWN_CANCEL = ("患者要求转回原籍继续治疗", "患者病情变化，继续住院治疗")
DOWN_FEEDBACK = ("已上门随访，患者一般情况良好，已按出院医嘱纳入社区管理。",
                 "已完成首次随访，血压控制可，督促规律服药，两周后复诊。",
                 "已上门随访并指导康复训练，家属掌握护理要点。",
                 "患者来中心就诊，已调整为社区管理方案，纳入家庭医生签约服务。")
PATHS = {"requested": (), "accepted": ("accept",), "rejected": ("reject",),
         "arrived": ("accept", "arrive"), "completed": ("accept", "arrive", "complete"),
         "cancelled": ("cancel",)}


class Ref:
    """A referral being built: its fields, its patient and its events."""
    __slots__ = ("direction", "fields", "person", "start", "events", "closed", "completed_at")

    def __init__(self, direction: str, fields: dict, person: Person | None, start: int):
        self.direction, self.fields, self.person, self.start = direction, fields, person, start
        self.events: list[tuple] = []  # (moment, action, from, to, user id, note)
        self.closed = None             # moment of a reject or cancel
        self.completed_at = None

    @property
    def day(self) -> int:
        return self.start // DAY


def create_referrals(ctx: DemoContext) -> None:
    Referrals(ctx).run()


class Referrals:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng: Random = ctx.rng("referrals")
        self.as_of = ctx.as_of.toordinal()
        self.end = self.as_of * DAY + WORKDAY_SECONDS - 1
        self.window_start = self.as_of - RECORD_DAYS + 1
        self.users = user_ids(ctx)
        self.usernames = {v: k for k, v in self.users.items()}
        self.team_of_grid = {g.id: g.team_id for g in ctx.grids}
        self.team_plan = {t.id: t for t in ctx.teams}
        self.team_phone = {t.id: synth.mobile(self.rng) for t in ctx.teams}
        self.community_users = {team_id: accounts[0]
                                for team_id, accounts in team_accounts(ctx).items()}
        self.refs: list[Ref] = []

    # --- who acts ----------------------------------------------------------------------

    def community_user(self, team_id: int | None) -> int:
        """The team's demo doctor, else the centre's manager (who may act for any team)."""
        return self.community_users.get(team_id, self.users["manager"])

    def actor(self, ref: Ref, side: str) -> int:
        hospital_side = "receiving" if ref.direction == "up" else "sending"
        if side == hospital_side:
            return self.users["hospital"]
        team = ref.fields["from_team_id"] if ref.direction == "up" else ref.fields[
            "assigned_team_id"]
        return self.community_user(team)

    # --- time --------------------------------------------------------------------------

    def moment(self, day: int) -> int:
        return day * DAY + int(self.rng.random() * WORKDAY_SECONDS)

    def later(self, moment: int, min_days: int, max_days: int) -> int:
        """A working-hours moment min_days..max_days after ``moment`` (same day: later)."""
        random = self.rng.random
        day = moment // DAY + min_days + int(random() * (max_days - min_days + 1))
        if day == moment // DAY:
            second = moment % DAY
            room = WORKDAY_SECONDS - second - 600
            if room > 0:
                return moment + 600 + int(random() * room)
            day += 1
        return self.moment(day)

    # --- life cycles -------------------------------------------------------------------

    def path(self, ref: Ref) -> tuple[str, ...]:
        roll = self.rng.random()
        if ref.direction == "up":
            cut = (0.05, 0.08, 0.10)
        else:
            cut = (0.03, 0.06, 0.07)
        if roll < cut[0]:
            return ("reject",)
        if roll < cut[1]:
            return ("cancel",)
        if roll < cut[2]:
            return ("accept", "cancel")
        return ("accept", "arrive", "complete")

    def delay(self, ref: Ref, action: str, moment: int) -> int:
        urgent = ref.fields["urgency"] == "urgent"
        if ref.direction == "up":
            if action in ("accept", "reject"):
                return self.later(moment, 0, 0 if urgent else 2)
            if action == "cancel":
                return self.later(moment, 0, 3)
            if action == "arrive":
                return self.later(moment, 0, 0 if urgent else 5)
            return self.later(moment, 3, 15)  # complete: after the stay
        if action in ("accept", "reject", "cancel"):
            return self.later(moment, 0, 2)
        if action == "arrive":  # the grid team visits the patient
            if self.rng.random() < DOWN_LATE_VISIT:
                visit = self.later(ref.start, 15, 28)
            else:
                visit = self.later(ref.start, 1, 12)
            return visit if visit > moment else self.later(moment, 0, 1)
        return self.later(moment, 0, 7)

    def note(self, ref: Ref, action: str) -> str | None:
        choice = self.rng.choice
        if action == "reject":
            return choice(UP_REJECT if ref.direction == "up" else DOWN_REJECT)
        if action == "cancel":
            return choice(UP_CANCEL if ref.direction == "up" else DOWN_CANCEL)
        if action == "complete":
            if ref.direction == "down":
                return choice(DOWN_FEEDBACK)
            found = ref.fields.get("_found") or "已完成专科诊治"
            return f"{found}。建议社区两周内随访，继续规范管理。"
        return None

    def live(self, ref: Ref, path: tuple[str, ...], creator: int, create_note=None,
             compressed: bool = False) -> None:
        """Create, then take the path's actions while they fall before the end of as_of."""
        ref.events.append((ref.start, "create", None, "requested", creator, create_note))
        status, moment = "requested", ref.start
        for action in path:
            if compressed:  # a showcase: one action a day
                moment = self.moment(moment // DAY + 1)
            else:
                moment = self.delay(ref, action, moment)
            if moment > self.end:
                break
            target, side = rules.TRANSITIONS[(status, action)]
            ref.events.append((moment, action, status, target, self.actor(ref, side),
                               self.note(ref, action)))
            status = target
            if action in ("reject", "cancel"):
                ref.closed = moment
            if action == "complete":
                ref.completed_at = moment
        ref.fields["status"] = status

    # --- the referrals -----------------------------------------------------------------

    def run(self) -> None:
        ctx = self.ctx
        n = len(ctx.people)
        self.up_from_visits()
        self.clinic_ups(round(n * CLINIC_UP_PER_1000 / 1000))
        self.downs(round(n * DOWN_PER_1000 / 1000))
        self.downs_after_ups()
        self.unknown_downs(max(2, round(n * DOWN_PER_1000 / 1000 * UNKNOWN_SHARE)))
        self.showcase()
        self.write()
        self.cap_schedules()

    def up_fields(self, person: Person, day: int, urgency: str, department: str,
                  reason: str, impression: str, treatment: str) -> dict:
        team_id = self.team_of_grid[person.grid_id]
        return {
            "direction": "up", "urgency": urgency, "resident_id": person.id,
            "patient_name": person.name, "patient_sex": person.sex,
            "patient_birth_date": person.birth, "id_number": person.id_number,
            "from_institution_id": self.ctx.centre_id, "to_institution_id": self.ctx.hospital_id,
            "department": department, "from_team_id": team_id, "assigned_team_id": None,
            "referred_on": day, "reason": reason, "initial_impression": impression,
            "past_history": person.past_history or "无特殊", "treatment": treatment,
            "contact_doctor": self.team_plan[team_id].core["gp"][1],
            "contact_phone": self.team_phone[team_id], "visit_due_date": None}

    def up_from_visits(self) -> None:
        random, people = self.rng.random, self.ctx.people
        for (followup_id, index, _eid, program, visit_day, referral, reasons, sbp, dbp, fpg,
             symptoms, recorded) in self.ctx.flagged_visits:
            urgent = referral == "urgent"
            if random() >= (UP_FROM_URGENT if urgent else UP_FROM_SUGGESTED):
                continue
            person = people[index]
            day = visit_day if urgent else min(self.as_of, visit_day + int(random() * 3))
            if person.status_date and day >= person.status_date.toordinal():
                day = visit_day
            said = "，".join(SYMPTOM_TEXT.get(s, s) for s in symptoms)
            if program == "hypertension":
                reason = f"随访血压 {sbp}/{dbp} mmHg" + (f"，伴{said}" if said else "")
                department = ("神经内科" if "symptom:consciousness" in reasons else
                              "眼科" if "symptom:vision" in reasons else "心内科")
                impression = ("高血压急症？" if urgent else "高血压 血压控制不佳")
                treatment = "规律服用降压药物，近期调整剂量后血压仍未达标"
                found = "诊断：原发性高血压3级（极高危）；已调整降压方案"
            else:
                reason = f"随访空腹血糖 {fpg} mmol/L" + (f"，伴{said}" if said else "")
                department = "内分泌科"
                impression = ("低血糖反应" if fpg is not None and fpg <= 3.9 else
                              "2型糖尿病 血糖控制不佳" + ("，酮症？" if urgent else ""))
                treatment = "口服降糖药物治疗，饮食运动指导"
                found = "诊断：2型糖尿病；已调整降糖方案"
            if not urgent:
                reason += "；连续两次随访未达标" if "two_consecutive_uncontrolled" in reasons \
                    else "；出现药物不良反应或新发并发症"
            fields = self.up_fields(person, day, "urgent" if urgent else "routine", department,
                                    reason, impression, treatment)
            fields["followup_id"], fields["_found"] = followup_id, found
            if day == visit_day:  # written after the visit that calls for it
                room = WORKDAY_SECONDS - recorded
                start = day * DAY + recorded + 1 + int(random() * max(1, room - 1))
            else:
                start = self.moment(day)
            self.add(Ref("up", fields, person, start))

    def eligible(self, min_age: int, with_id: bool):
        """Residents living here on as_of (archives that route() finds), at least min_age."""
        return [p for p in self.ctx.people if p.status == "active"
                and age_at(p.birth, self.as_of) >= min_age
                and (p.id_number or not with_id)]

    def pick_day(self, person: Person, lo: int) -> int | None:
        lo = max(lo, person.created_on.toordinal())
        return None if lo > self.as_of else lo + int(self.rng.random() * (self.as_of - lo + 1))

    def clinic_up(self, person: Person, day: int) -> Ref:
        impression, department, found = self.rng.choice(CLINIC_UP)
        fields = self.up_fields(person, day, "urgent" if self.rng.random() < 0.1 else "routine",
                                department, f"{impression}，需专科进一步诊治", impression,
                                "对症治疗")
        fields["followup_id"], fields["_found"] = None, found
        return Ref("up", fields, person, self.moment(day))

    def clinic_ups(self, count: int) -> None:
        pool = self.eligible(40, with_id=False)
        for _ in range(count if pool else 0):
            person = self.rng.choice(pool)
            day = self.pick_day(person, self.window_start)
            if day is not None:
                self.add(self.clinic_up(person, day))

    def down_fields(self, person: Person | None, day: int, discharge=None,
                    name=None, sex=None, birth=None, id_number=None) -> dict:
        rng = self.rng
        diagnosis, department, results, treatment, rehab = discharge or rng.choice(DISCHARGES)
        team_id = self.team_of_grid[person.grid_id] if person else None
        return {
            "direction": "down", "urgency": "routine", "resident_id": person and person.id,
            "patient_name": person.name if person else name,
            "patient_sex": person.sex if person else sex,
            "patient_birth_date": person.birth if person else birth,
            "id_number": person.id_number if person else id_number,
            "from_institution_id": self.ctx.hospital_id, "to_institution_id": self.ctx.centre_id,
            "department": department, "from_team_id": None, "assigned_team_id": team_id,
            "referred_on": day, "reason": "出院转社区继续治疗与康复", "diagnosis": diagnosis,
            "inpatient_no": f"ZY{date.fromordinal(day).year}{int(rng.random() * 900000) + 100000}",
            "key_results": results, "treatment_advice": treatment, "rehab_advice": rehab,
            "contact_doctor": synth.person_name(rng, "male" if rng.random() < 0.5 else "female",
                                                1975),
            "contact_phone": f"010-84562{int(rng.random() * 900) + 100}",
            "followup_id": None, "visit_due_date": rules.visit_due(date.fromordinal(day))}

    def downs(self, count: int) -> None:
        pool = self.eligible(18, with_id=True)
        older = [p for p in pool if age_at(p.birth, self.as_of) >= 55]
        for _ in range(count if pool else 0):
            person = self.rng.choice(older if older and self.rng.random() < 0.75 else pool)
            day = self.pick_day(person, self.window_start)
            if day is not None:
                self.add(Ref("down", self.down_fields(person, day), person, self.moment(day)))

    def downs_after_ups(self) -> None:
        """Patients referred up come back down when discharged (回转)."""
        for ref in list(self.refs):
            person = ref.person
            if (ref.direction == "up" and ref.completed_at is not None and person.id_number
                    and person.status == "active" and self.rng.random() < DOWN_AFTER_UP):
                start = self.later(ref.completed_at, 0, 0)
                if start > self.end:
                    continue
                discharge = (ref.fields["initial_impression"], ref.fields["department"],
                             ref.fields["_found"], ref.fields["treatment"],
                             "规律服药，定期复查")
                self.add(Ref("down", self.down_fields(person, start // DAY, discharge), person,
                             start))

    def unknown_downs(self, count: int) -> None:
        """People with no archive here (or no ID number): the unassigned queue."""
        rng = self.rng
        for _ in range(count):
            sex = "male" if rng.random() < 0.5 else "female"
            birth = date.fromordinal(self.as_of - int((40 + rng.random() * 45) * 365.25))
            id_number = None
            if rng.random() < 0.6:
                id_number = self.unused_id_number(birth, sex == "male")
            day = self.as_of - int(rng.random() * 45)
            fields = self.down_fields(None, day, name=synth.person_name(rng, sex, birth.year),
                                      sex=sex, birth=birth, id_number=id_number)
            ref = Ref("down", fields, None, self.moment(day))
            self.refs.append(ref)
            self.live(ref, (), self.users["hospital"], create_note="unassigned")

    def unused_id_number(self, birth: date, male: bool) -> str:
        while True:
            area = self.rng.choice(synth.other_areas(birth.year))
            seq = int(self.rng.random() * 500) * 2 + (1 if male else 0)
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = body + synth.id_check_char(body)
            if not db.session.query(Resident.id).filter_by(id_number=number).first():
                return number

    def showcase(self) -> None:
        """The first team (the demo doctor's) has referrals in every state, both ways."""
        team = self.ctx.teams[0]
        have = {(r.direction, r.fields["status"]) for r in self.refs
                if team.id in (r.fields["from_team_id"], r.fields["assigned_team_id"])}
        pool = [p for p in self.eligible(40, with_id=True) if p.grid_id == team.grid_id]
        for direction in rules.DIRECTIONS:
            for status in rules.STATUSES:
                if (direction, status) in have or not pool:
                    continue
                person = self.rng.choice(pool)
                path = PATHS[status]
                day = max(self.as_of - len(path) - 1 - int(self.rng.random() * 6),
                          person.created_on.toordinal())
                if direction == "up":
                    ref = self.clinic_up(person, day)
                else:
                    ref = Ref("down", self.down_fields(person, day), person, self.moment(day))
                self.add(ref, path, compressed=True)

    def add(self, ref: Ref, path=None, compressed: bool = False) -> None:
        self.refs.append(ref)
        self.live(ref, self.path(ref) if path is None else path, self.actor(ref, "sending"),
                  compressed=compressed)

    # --- writing -----------------------------------------------------------------------

    def write(self) -> None:
        ctx = self.ctx
        values = Values()
        referrals = TupleWriter(Referral.__table__, REFERRAL_COLUMNS, ctx.batch_size)
        events = TupleWriter(ReferralEvent.__table__, EVENT_COLUMNS, ctx.batch_size,
                             parents=(referrals,))
        self.refs.sort(key=lambda r: r.start)
        all_events = []
        for ref in self.refs:
            ref_id = referrals.take_id()
            f = ref.fields
            visited = None
            for moment, action, *_ in ref.events:
                if action == "arrive" and ref.direction == "down":
                    visited = moment // DAY
            feedback = next((e[5] for e in ref.events if e[1] == "complete"), None)
            created_by = ref.events[0][4]
            referrals.add((
                ref_id, f["direction"], f["urgency"], f["status"], f["resident_id"],
                f["patient_name"], f["patient_sex"], values.date(f["patient_birth_date"]),
                f["id_number"], f["from_institution_id"], f["to_institution_id"],
                f["department"], f["from_team_id"], f["assigned_team_id"],
                values.day(f["referred_on"]), f["reason"], f.get("initial_impression"),
                f.get("past_history"), f.get("treatment"), f.get("diagnosis"),
                f.get("inpatient_no"), f.get("key_results"), f.get("treatment_advice"),
                f.get("rehab_advice"), feedback, f["contact_doctor"], f["contact_phone"],
                f["followup_id"], values.date(f["visit_due_date"]), values.day(visited),
                created_by, _at(values, ref.start), len(ref.events)))
            all_events.extend((event[0], ref_id, event) for event in ref.events)
        referrals.flush()
        all_events.sort(key=lambda e: (e[0], e[1]))
        for moment, ref_id, (_, action, old, new, user_id, note) in all_events:
            events.add((events.take_id(), ref_id, old, new, action, user_id,
                        self.usernames.get(user_id), _at(values, moment), note))
        ctx.counts["referrals"] = referrals.close()
        ctx.counts["referral_events"] = events.close()

    def cap_schedules(self) -> None:
        """Each referral's creation refreshes the patient's active hypertension/diabetes
        schedules (chronic.services.refresh_schedule with referral.services.due_limit):
        the next visit falls at most 14 days after the earliest referral since the latest
        visit that was open then. The last such refresh decides the stored date."""
        by_resident: dict[int, list[Ref]] = {}
        for ref in self.refs:
            if ref.fields["resident_id"] is not None:
                by_resident.setdefault(ref.fields["resident_id"], []).append(ref)
        cap_days = FOLLOWUP_SETTINGS.referral_followup_days
        updates = []
        for resident_id, refs in by_resident.items():
            for s in self.ctx.schedules.get(resident_id, ()):
                # Since the latest visit: later days, or its day once it was recorded.
                seen = None if s.last_visit is None else s.last_visit * DAY + s.last_seconds
                after = [r for r in refs if seen is None or r.day > s.last_visit
                         or (r.day == s.last_visit and r.start >= seen)]
                enrolled_at = s.enrolled * DAY + s.enrolled_seconds
                refreshes = [r.start for r in after if enrolled_at < r.start
                             and (s.exited is None or r.day < s.exited)]
                if not refreshes:
                    continue
                last = max(refreshes)
                open_then = [r.day for r in after if r.start <= last
                             and (r.closed is None or r.closed > last)]
                if open_then and min(open_then) + cap_days < s.due:
                    s.due = min(open_then) + cap_days
                    updates.append((s.enrollment_id, date.fromordinal(s.due)))
        update_by_id(Enrollment.__table__, ("next_due_date",), updates)
        db.session.commit()
        self.ctx.counts["capped_schedules"] = len(updates)


def _at(values: Values, moment: int):
    return values.moment(moment // DAY, moment % DAY)
