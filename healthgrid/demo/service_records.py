"""Step 9: the teams' other services over the year (health education, maternal and child
visits, infectious-disease reports, mental-health and rehabilitation visits, supervision
reports). Some teams leave a kind out, so service provision is below 100% for them."""
from __future__ import annotations

from healthgrid.records.models import ServiceRecord

from .bulk import TupleWriter, Values
from .context import DemoContext
from .recordkit import RECORD_DAYS, WORKDAY_SECONDS, age_at, team_accounts

COLUMNS = ("id", "kind", "date", "team_id", "grid_id", "resident_id", "note", "recorded_by_id",
           "created_at")
# kind -> chance that a team never records it this year
MISSING = {"health_education": 0.0, "supervision_report": 0.1, "maternal_visit": 0.08,
           "child_health": 0.05, "mental_health": 0.08, "rehab": 0.1}
EDUCATION = ("健康讲座：高血压防治", "健康讲座：糖尿病饮食与运动", "健康讲座：老年人防跌倒",
             "健康咨询：世界卫生日义诊", "宣传栏更换：合理膳食", "健康讲座：慢阻肺自我管理",
             "宣传栏更换：传染病防控", "健康讲座：心理健康与睡眠")
SUPERVISION = ("卫生监督协管巡查：餐饮单位", "卫生监督协管巡查：公共浴室", "非法行医信息报告",
               "饮用水卫生安全巡查", "学校卫生巡查")
INFECTIOUS = ("传染病报告：水痘", "传染病报告：手足口病", "传染病报告：流行性腮腺炎",
              "传染病报告：肺结核（疑似）", "传染病报告：其他感染性腹泻")
MATERNAL = ("孕早期建册随访", "孕中期随访", "产后访视", "产后42天健康检查")
CHILD = ("新生儿家庭访视", "婴幼儿健康检查", "儿童健康检查及生长发育评估", "儿童眼保健及视力筛查")
MENTAL = ("严重精神障碍患者随访：病情稳定", "严重精神障碍患者随访：基本稳定，继续服药",
          "严重精神障碍患者随访：督促按时服药")
REHAB = ("社区康复指导：肢体功能训练", "康复评估及辅具适配", "居家康复随访")


def create_service_records(ctx: DemoContext) -> None:
    rng = ctx.rng("service_records")
    random = rng.random
    values = Values()
    writer = TupleWriter(ServiceRecord.__table__, COLUMNS, ctx.batch_size)
    accounts = team_accounts(ctx)
    as_of = ctx.as_of.toordinal()
    first = as_of - RECORD_DAYS + 1
    groups: dict[int, dict[str, list]] = {}
    for person in ctx.people:
        if person.status != "active":
            continue
        grid = groups.setdefault(person.grid_id, {"all": [], "pregnant": [], "children": [],
                                                  "smi": [], "disabled": []})
        grid["all"].append(person)
        if person.pregnant:
            grid["pregnant"].append(person)
        if age_at(person.birth, as_of) <= 6:
            grid["children"].append(person)
        if person.severe_mental_illness:
            grid["smi"].append(person)
        if person.disabled:
            grid["disabled"].append(person)

    for team in ctx.teams:
        recorder = accounts.get(team.id, (None,))[0]
        grid = groups.get(team.grid_id)
        if grid is None:
            continue
        skipped = {kind for kind, share in MISSING.items() if random() < share}

        def record(kind: str, note: str, person=None) -> None:
            lo = max(first, person.created_on.toordinal()) if person else first
            day = lo + int(random() * (as_of - lo + 1))
            writer.add((writer.take_id(), kind, values.day(day), team.id, team.grid_id,
                        person.id if person else None, note, recorder,
                        values.moment(day, int(random() * WORKDAY_SECONDS))))

        for _ in range(12 + int(random() * 13)):
            record("health_education", f"{rng.choice(EDUCATION)}（{15 + int(random() * 40)}人参加）")
        if "supervision_report" not in skipped:
            for _ in range(4 + int(random() * 9)):
                record("supervision_report", rng.choice(SUPERVISION))
        for _ in range(int(random() * 4)):  # none at all in about a quarter of the grids
            record("infectious_report", rng.choice(INFECTIOUS), rng.choice(grid["all"]))
        per_person = (("maternal_visit", "pregnant", MATERNAL, 0.85, 2),
                      ("child_health", "children", CHILD, 0.45, 2),
                      ("mental_health", "smi", MENTAL, 0.9, 4),
                      ("rehab", "disabled", REHAB, 0.4, 2))
        for kind, group, notes, share, most in per_person:
            if kind in skipped:
                continue
            for person in grid[group]:
                if random() < share:
                    for _ in range(1 + int(random() * most)):
                        record(kind, rng.choice(notes), person)
    ctx.counts["service_records"] = writer.close()
