"""Step 8: awareness and satisfaction surveys, 20-40 responses per grid over the year.

Each grid has its own level of awareness (55-75% know their team) and satisfaction
(85-95% satisfied), so that grids and teams differ on the dashboard."""
from __future__ import annotations

import math

from healthgrid.surveys.models import SurveyResponse

from .bulk import TupleWriter, Values
from .context import DemoContext
from .recordkit import RECORD_DAYS, WORKDAY_SECONDS, age_at, team_accounts, team_quality

COLUMNS = ("id", "grid_id", "date", "channel", "resident_id", "aware", "knows_doctor",
           "satisfaction", "comment", "recorded_by_id", "created_at")
RESPONSES = (20, 40)
AWARE = (0.55, 0.75)      # a grid's share of respondents who know their team
SATISFIED = (0.85, 0.95)  # a grid's share of satisfied answers among those who rated
GOOD_COMMENTS = ("家庭医生服务热情，随访很及时", "上门测血压很方便", "签约后看病取药方便多了",
                 "医生讲解耐心细致", "希望多举办健康讲座")
BAD_COMMENTS = ("电话随访时间不固定，希望提前通知", "中心排队时间较长", "不知道团队医生的联系电话",
                "希望增加周末门诊时间")


def create_surveys(ctx: DemoContext) -> None:
    rng = ctx.rng("surveys")
    random = rng.random
    values = Values()
    writer = TupleWriter(SurveyResponse.__table__, COLUMNS, ctx.batch_size)
    accounts = team_accounts(ctx)
    quality = team_quality(ctx)
    as_of = ctx.as_of.toordinal()
    first = as_of - RECORD_DAYS + 1
    adults: dict[int, list] = {}
    for person in ctx.people:
        if person.status == "active" and age_at(person.birth, as_of) >= 18:
            adults.setdefault(person.grid_id, []).append(person)

    for grid in ctx.grids:
        # Within the same bands, a weaker team's grids sit towards their low ends.
        lean = 1 / min(1.0, quality.get(grid.team_id, 1.0)) ** 6
        aware_rate = AWARE[0] + random() ** lean * (AWARE[1] - AWARE[0])
        satisfied_rate = SATISFIED[0] + random() ** lean * (SATISFIED[1] - SATISFIED[0])
        recorder = accounts.get(grid.team_id, (None,))[0]
        pool = adults.get(grid.id, [])
        n = RESPONSES[0] + int(random() * (RESPONSES[1] - RESPONSES[0] + 1))
        # The grid's rates hold exactly (to the nearest answer), whatever the sample.
        aware_answers = _shuffled(rng, n, aware_rate, AWARE)
        rated = [random() < 0.98 for _ in range(n)]
        satisfied_answers = iter(_shuffled(rng, sum(rated), satisfied_rate, SATISFIED))
        for i in range(n):
            day = first + int(random() * RECORD_DAYS)
            roll = random()
            channel = "door" if roll < 0.5 else "phone" if roll < 0.8 else "qr"
            resident_id = None
            if channel != "qr" and pool:
                person = rng.choice(pool)
                if person.created_on.toordinal() <= day:
                    resident_id = person.id
            aware = aware_answers[i]
            knows = random() < (0.8 if aware else 0.1)
            if channel == "qr" and random() < 0.3:
                knows = None  # the public page leaves the question optional
            satisfaction = None
            if rated[i]:
                if next(satisfied_answers):
                    satisfaction = 5 if random() < 0.6 else 4
                else:
                    roll = random()
                    satisfaction = 3 if roll < 0.65 else 2 if roll < 0.9 else 1
            comment = None
            if random() < 0.1:
                comment = rng.choice(GOOD_COMMENTS if (satisfaction or 0) >= 4 else BAD_COMMENTS)
            writer.add((writer.take_id(), grid.id, values.day(day), channel, resident_id, aware,
                        knows, satisfaction, comment, None if channel == "qr" else recorder,
                        values.moment(day, int(random() * WORKDAY_SECONDS))))
    ctx.counts["survey_responses"] = writer.close()


def _shuffled(rng, n: int, rate: float, bounds: tuple[float, float]) -> list[bool]:
    """n answers, about ``rate`` of them yes, the share never outside ``bounds``."""
    yes = min(max(round(n * rate), math.ceil(n * bounds[0])), math.floor(n * bounds[1]))
    answers = [i < yes for i in range(n)]
    rng.shuffle(answers)
    return answers
