"""Demo step: grid events over the year up to as_of, in every state and at every level.

Each grid's team reports a few events a year; each walks the closed loop by
events.rules.next_state, acted on by the demo account of its level (the grid's team doctor,
the centre's manager, the district's administrator) at plausible times, and stops where
as_of falls: open events (some past their deadline) sit beside closed ones. The first two
teams' grids also get a recent showcase: one event in each state, escalated ones at each
level and an emergency nobody has accepted yet. No photos: the demo writes no files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from random import Random

from healthgrid.events import rules
from healthgrid.events.models import GridEvent, GridEventStep

from .bulk import TupleWriter, Values
from .context import DemoContext
from .recordkit import RECORD_DAYS, WORKDAY_SECONDS, team_accounts, user_ids

DAY = 86400  # a moment is ordinal * DAY + seconds after 08:00 in the centre
EVENT_COLUMNS = ("id", "event_type", "grid_id", "place", "description", "mode", "urgency",
                 "level", "status", "deadline", "assignee", "feedback", "reported_on",
                 "reported_at", "accepted_at", "closed_on", "closed_at", "reported_by_id",
                 "reporter_name", "version")
STEP_COLUMNS = ("id", "event_id", "action", "from_status", "to_status", "level", "user_id",
                "actor_name", "at", "note", "deadline", "assignee")
MODES = (("general", 0.45), ("coordination", 0.30), ("approval", 0.15), ("emergency", 0.10))
ON_THE_SPOT = 0.5       # general events the grid handles at once
ESCALATED = {"general": 0.15, "coordination": 0.15, "approval": 0.4, "emergency": 0.1}
SENT_BACK = 0.1         # handling that the verifier sends back once
LATE = 0.2              # handling that comes after the deadline

# type -> (places, what was found, handling feedback, who handles)
TEXTS = {
    "food_safety": (
        ("农贸市场熟食摊位", "小吃店", "社区老年食堂", "便利店"),
        ("无健康证从业人员售卖熟食，现场无冷藏设施", "售卖过期预包装食品", "后厨卫生条件差，生熟混放"),
        ("已责令停业整改，过期食品现场下架销毁", "从业人员已办理健康证，冷藏设施到位，复查合格"),
        ("街道市场监督管理所", "区卫生健康监督所")),
    "drinking_water": (
        ("小区二次供水水箱", "老旧小区自备井", "学校直饮水机"),
        ("水箱盖未上锁，箱内有杂物", "居民反映自来水浑浊有异味", "直饮水机滤芯超期未更换"),
        ("已清洗消毒水箱并加锁，水质检测合格", "供水单位已冲洗管网，复测浊度达标"),
        ("区疾病预防控制中心", "物业服务公司", "区卫生健康监督所")),
    "illegal_practice": (
        ("出租屋", "沿街门店", "社区活动室"),
        ("无证人员开展输液治疗", "非医疗机构开展针灸推拿并收费", "游医摆摊售卖“祖传秘方”"),
        ("已取缔非法诊所，没收药品器械", "已劝离游医并张贴警示告示"),
        ("区卫生健康监督所", "派出所")),
    "illegal_blood": (
        ("城中村出租屋", "劳务市场周边"),
        ("有人组织有偿“献血”及非法采集血浆", "发现非法采血小广告"),
        ("已移交卫生监督和公安部门查处", "已清除小广告并加强巡查"),
        ("区卫生健康监督所", "派出所")),
    "school": (
        ("小学", "幼儿园", "校外托管班"),
        ("教室采光照明不足", "食堂从业人员未晨检", "托管班无消毒记录"),
        ("已整改并补充消毒记录，复查合格", "学校已更换灯具，照度达标"),
        ("区教育局", "区卫生健康监督所")),
    "public_place": (
        ("公共浴室", "理发店", "宾馆", "游泳馆"),
        ("公共用品未清洗消毒", "从业人员健康证过期", "池水余氯不达标"),
        ("已补办健康证，公共用品消毒设施到位", "已调整池水消毒，复测合格"),
        ("区卫生健康监督所", "街道市场监督管理所")),
    "infectious_cluster": (
        ("幼儿园", "小学", "养老院", "建筑工地宿舍"),
        ("同一班级5名儿童出现发热、皮疹", "3名老人出现腹泻呕吐", "多名工人出现发热咳嗽"),
        ("已采样送检，落实晨午检和消毒隔离，无新增病例", "已开展流行病学调查和终末消毒"),
        ("区疾病预防控制中心",)),
    "other": (
        ("小区垃圾站", "河道沿岸"),
        ("垃圾长期未清运，蚊蝇孳生", "发现死禽"),
        ("已协调清运并开展病媒生物消杀", "已无害化处理并开展消毒"),
        ("街道城市管理科", "区疾病预防控制中心")),
}
REASONS = {"grid": "涉及多个单位，网格无法协调", "community": "社区无执法权，需中心协调监督部门",
           "centre": "需区卫生健康委审批并统筹处置"}
RETURN_NOTE = "整改材料不全，请补充复查记录后重新反馈"
CLOSE_NOTE = "经核查整改到位，同意办结"


@dataclass
class Plan:
    """An event being built: its fields and its steps (moment, action, from, to, level,
    user id, name, note, deadline, assignee)."""
    grid_id: int
    team_id: int | None
    event_type: str
    mode: str
    urgency: str
    start: int
    fields: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)


def create_events(ctx: DemoContext) -> None:
    Events(ctx).run()


class Events:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng: Random = ctx.rng("events")
        self.as_of = ctx.as_of.toordinal()
        self.end = self.as_of * DAY + WORKDAY_SECONDS - 1
        users = user_ids(ctx)
        self.level_user = {"community": users.get("manager"), "centre": users.get("manager"),
                           "district": users.get("admin")}
        self.accounts = team_accounts(ctx)
        self.team_of_grid = {g.id: g.team_id for g in ctx.grids}
        self.team_plan = {t.id: t for t in ctx.teams}
        self.plans: list[Plan] = []

    # --- who and when ----------------------------------------------------------------------

    def grid_actor(self, plan: Plan) -> tuple[int | None, str | None]:
        team = self.team_plan.get(plan.team_id)
        name = team.core["gp"][1] if team and "gp" in team.core else None
        return self.accounts.get(plan.team_id, (None,))[0], name

    def actor(self, plan: Plan, level: str, action: str) -> tuple[int | None, str | None]:
        if level == "grid" or (action == "handle" and self.rng.random() < 0.5):
            return self.grid_actor(plan)
        return self.level_user[level], "admin" if level == "district" else "manager"

    def moment(self, day: int) -> int:
        return day * DAY + int(self.rng.random() * WORKDAY_SECONDS)

    def later(self, moment: int, min_days: int, max_days: int) -> int:
        day = moment // DAY + min_days + int(self.rng.random() * (max_days - min_days + 1))
        if day == moment // DAY:
            room = WORKDAY_SECONDS - moment % DAY - 600
            if room > 0:
                return moment + 600 + int(self.rng.random() * room)
            day += 1
        return self.moment(day)

    # --- the loop ----------------------------------------------------------------------------

    def new_plan(self, grid_id: int, day: int, mode: str | None = None,
                 event_type: str | None = None) -> Plan:
        random, choice = self.rng.random, self.rng.choice
        if mode is None:
            roll, mode = random(), MODES[-1][0]
            for name, share in MODES:
                if roll < share:
                    mode = name
                    break
                roll -= share
        event_type = event_type or choice(
            ("infectious_cluster",) * 3 + tuple(t for t in rules.TYPES if t != "other") * 2
            + ("other",) if mode == "emergency" else rules.TYPES)
        urgency = "urgent" if mode == "emergency" or random() < 0.2 else "routine"
        plan = Plan(grid_id, self.team_of_grid.get(grid_id), event_type, mode, urgency,
                    self.moment(day))
        places, found, _done, _units = TEXTS[event_type]
        plan.fields = {"place": choice(places), "description": choice(found)}
        return plan

    def path(self, plan: Plan) -> list[str]:
        """The actions this event will take (as far as as_of lets it)."""
        random = self.rng.random
        level = rules.start_level(plan.mode)
        if plan.mode == "general" and random() < ON_THE_SPOT:
            return ["resolve"]
        actions = []
        if random() < ESCALATED[plan.mode]:
            actions += ["accept"] if random() < 0.5 else []
            while True:
                actions.append("escalate")
                level = rules.level_above(level)
                if rules.level_above(level) is None or random() < 0.6:
                    break
                actions += ["accept"] if random() < 0.5 else []
        actions += ["accept", "dispatch", "handle"]
        if random() < SENT_BACK:
            actions += ["return", "handle"]
        return actions + ["close"]

    def delay(self, plan: Plan, action: str, moment: int, deadline: date | None) -> int:
        emergency = plan.mode == "emergency"
        if action in ("accept", "escalate", "dispatch"):
            return self.later(moment, 0, 0 if emergency else 2)
        if action == "handle":
            due = deadline.toordinal() if deadline else moment // DAY + 7
            if self.rng.random() < LATE:
                return self.moment(max(due + 1 + int(self.rng.random() * 6), moment // DAY))
            start = moment // DAY
            return self.later(moment, 0, max(0, due - start - 1)) if due > start else \
                self.later(moment, 0, 0)
        if action == "return":
            return self.later(moment, 0, 1)
        return self.later(moment, 0, 2)  # close

    def walk(self, plan: Plan, actions: list[str], compressed: bool = False) -> None:
        """Report, then take the actions while they fall on or before as_of."""
        day = plan.start // DAY
        level = rules.start_level(plan.mode)
        deadline = rules.initial_deadline(date.fromordinal(day), plan.mode, plan.urgency)
        user, name = self.grid_actor(plan)
        plan.fields.update(level=level, status="reported", deadline=deadline, assignee=None,
                           feedback=None, accepted_at=None, closed_at=None,
                           reported_by=user, reporter=name)
        plan.steps.append((plan.start, "report", None, "reported", level, user, name, None,
                           None, None))
        state, moment = rules.State("reported", level, plan.mode), plan.start
        _places, _found, done, units = TEXTS[plan.event_type]
        for action in actions:
            if compressed:  # a showcase: one step a day up to as_of
                moment = self.moment(moment // DAY + 1)
            elif action == "resolve":
                moment = plan.start + 1
            else:
                moment = self.delay(plan, action, moment, deadline)
            if moment > self.end:
                break
            note = step_deadline = assignee = None
            if action == "escalate":
                note = REASONS[state.level]
            elif action in ("handle", "resolve"):
                note = self.rng.choice(done)
            elif action == "return":
                note = RETURN_NOTE
            elif action == "close":
                note = CLOSE_NOTE
            elif action == "dispatch":
                assignee = self.rng.choice(units)
                days = 1 if plan.mode == "emergency" else 3 if plan.urgency == "urgent" \
                    else 7 + int(self.rng.random() * 8)
                step_deadline = date.fromordinal(moment // DAY + days)
            caps = frozenset({"grid"} if action == "resolve" else {state.level})
            state = rules.next_state(state, action, caps, note=note, deadline=step_deadline,
                                     assignee=assignee, today=date.fromordinal(moment // DAY))
            user, name = self.actor(plan, state.level if action != "escalate" else
                                    rules.LEVELS[rules.LEVELS.index(state.level) - 1], action)
            plan.steps.append((moment, action, plan.steps[-1][3], state.status, state.level,
                               user, name, note, step_deadline, assignee))
            if action == "accept" and plan.fields["accepted_at"] is None:
                plan.fields["accepted_at"] = moment
            if action == "dispatch":
                deadline = step_deadline
                plan.fields.update(deadline=deadline, assignee=assignee)
            if action in ("handle", "resolve"):
                plan.fields["feedback"] = note
            if state.status == "closed":
                plan.fields["closed_at"] = moment
        plan.fields.update(level=state.level, status=state.status)

    # --- the events --------------------------------------------------------------------------

    def run(self) -> None:
        random = self.rng.random
        first = self.as_of - RECORD_DAYS + 1
        for grid in self.ctx.grids:
            for _ in range(3 + int(random() * 6)):
                plan = self.new_plan(grid.id, first + int(random() * RECORD_DAYS))
                self.walk(plan, self.path(plan))
                self.plans.append(plan)
        self.showcase()
        self.write()

    def showcase(self) -> None:
        """Recent events of the first two teams' grids, one per state and level, so that
        the pages show every case whatever the seed."""
        cases = (
            ("general", "food_safety", ["resolve"]),                         # closed at once
            ("general", "drinking_water", []),                               # reported (grid)
            ("coordination", "public_place", ["accept"]),                    # accepted
            ("coordination", "school", ["accept", "dispatch"]),              # dispatched
            ("approval", "illegal_practice", ["accept", "dispatch", "handle"]),  # to verify
            ("general", "other", ["accept", "escalate"]),                    # up to community
            ("approval", "illegal_blood", ["accept", "escalate"]),           # at the district
            ("coordination", "food_safety", ["accept", "dispatch", "handle", "close"]),
        )
        for team in self.ctx.teams[:2]:
            for offset, (mode, event_type, actions) in enumerate(cases):
                day = self.as_of - len(actions) - 1 - offset % 3
                plan = self.new_plan(team.grid_id, day, mode, event_type)
                self.walk(plan, actions, compressed=True)
                self.plans.append(plan)
            # Dispatched about a fortnight ago with three days to go: overdue now.
            plan = self.new_plan(team.grid_id, self.as_of - 16, "coordination",
                                 "drinking_water")
            plan.urgency = "urgent"  # three days to handle, long past
            self.walk(plan, ["accept", "dispatch"])
            self.plans.append(plan)
        # An emergency reported this morning: on the centre's dashboard until accepted.
        grid_id = self.ctx.teams[0].grid_id if self.ctx.teams else self.ctx.grids[0].id
        plan = self.new_plan(grid_id, self.as_of, "emergency", "infectious_cluster")
        plan.start = self.as_of * DAY + 600
        self.walk(plan, [])
        self.plans.append(plan)

    def write(self) -> None:
        values = Values()
        events = TupleWriter(GridEvent.__table__, EVENT_COLUMNS, self.ctx.batch_size)
        steps = TupleWriter(GridEventStep.__table__, STEP_COLUMNS, self.ctx.batch_size,
                            parents=(events,))
        self.plans.sort(key=lambda p: p.start)
        all_steps = []
        for plan in self.plans:
            event_id = events.take_id()
            f = plan.fields
            closed_at = f["closed_at"]
            events.add((
                event_id, plan.event_type, plan.grid_id, f["place"], f["description"],
                plan.mode, plan.urgency, f["level"], f["status"], values.date(f["deadline"]),
                f["assignee"], f["feedback"], values.day(plan.start // DAY),
                _at(values, plan.start), _at(values, f["accepted_at"]),
                values.day(closed_at // DAY) if closed_at else None, _at(values, closed_at),
                f["reported_by"], f["reporter"], len(plan.steps)))
            all_steps.extend((step[0], event_id, step) for step in plan.steps)
        events.flush()
        all_steps.sort(key=lambda s: (s[0], s[1]))
        for moment, event_id, (_, action, old, new, level, user, name, note, deadline,
                               assignee) in all_steps:
            steps.add((steps.take_id(), event_id, action, old, new, level, user, name,
                       _at(values, moment), note, values.date(deadline), assignee))
        self.ctx.counts["grid_events"] = events.close()
        self.ctx.counts["grid_event_steps"] = steps.close()


def _at(values: Values, moment: int | None):
    return None if moment is None else values.moment(moment // DAY, moment % DAY)
