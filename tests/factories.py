"""Small factories: just enough of a district for a test to read like a story."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from healthgrid.auth.models import User
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Institution, Staff, Team, TeamMembership

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


@dataclass
class District:
    centre: Institution
    hospital: Institution
    community: Community
    grids: list[Grid]
    teams: list[Team]
    staff: dict[str, Staff] = field(default_factory=dict)


def institution(kind="health_center", **kw) -> Institution:
    n = _n()
    defaults = dict(code=f"I{n:04d}", name=f"机构{n}", kind=kind)
    if kind == "health_center":
        defaults.update(county_code="110105", township_code="001")
    inst = Institution(**{**defaults, **kw})
    db.session.add(inst)
    db.session.flush()
    return inst


def community(inst: Institution, **kw) -> Community:
    n = _n()
    c = Community(institution_id=inst.id, **{"code": f"{n % 99 + 1:03d}", "name": f"社区{n}",
                                             "kind": "neighborhood", **kw})
    db.session.add(c)
    db.session.flush()
    return c


def grid(comm: Community, team: Team | None = None, **kw) -> Grid:
    n = _n()
    g = Grid(community_id=comm.id, team_id=team.id if team else None,
             **{"code": f"G{n}", "name": f"第{n}网格", "kind": "residential",
                "population": 1500, "households": 500, **kw})
    db.session.add(g)
    db.session.flush()
    return g


def staff(inst: Institution, **kw) -> Staff:
    n = _n()
    s = Staff(institution_id=inst.id, **{"name": f"员工{n}", "is_medical": True,
                                         "phone": f"138{n:08d}", **kw})
    db.session.add(s)
    db.session.flush()
    return s


def team(inst: Institution, roles=("gp", "nurse", "public_health"), start=date(2024, 1, 1),
         **kw) -> tuple[Team, dict[str, Staff]]:
    n = _n()
    t = Team(institution_id=inst.id, **{"name": f"团队{n}", **kw})
    db.session.add(t)
    db.session.flush()
    members = {}
    for role in roles:
        s = staff(inst)
        db.session.add(TeamMembership(team_id=t.id, staff_id=s.id, role=role, start_date=start))
        members[role] = s
    db.session.flush()
    db.session.refresh(t)
    return t, members


def user(role: str, *, institution_id=None, staff_id=None, username=None,
         password=PASSWORD) -> User:
    from werkzeug.security import generate_password_hash
    u = User(username=username or f"{role}{_n()}", role=role, institution_id=institution_id,
             staff_id=staff_id, password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"))
    db.session.add(u)
    db.session.flush()
    return u


def district() -> District:
    centre = institution(name="测试社区卫生服务中心")
    hospital = institution(kind="hospital", name="区人民医院")
    comm = community(centre, name="幸福里社区")
    team_a, staff_a = team(centre, name="甲团队")
    team_b, staff_b = team(centre, name="乙团队")
    grids = [grid(comm, team_a, name="幸福里第1网格"), grid(comm, team_b, name="幸福里第2网格")]
    d = District(centre, hospital, comm, grids, [team_a, team_b])
    d.staff = {f"a_{k}": v for k, v in staff_a.items()} | {f"b_{k}": v for k, v in staff_b.items()}
    return d


def user_for(d: District, role: str, team_index: int = 0, **kw) -> User:
    """A user of `role` placed in the district: doctors are the gp of team A (or B)."""
    if role == "doctor":
        prefix = "a" if team_index == 0 else "b"
        return user("doctor", institution_id=d.centre.id, staff_id=d.staff[f"{prefix}_gp"].id, **kw)
    if role == "manager":
        return user("manager", institution_id=d.centre.id, **kw)
    if role == "referral_desk":
        return user("referral_desk", institution_id=d.hospital.id, **kw)
    return user(role, **kw)


def id_number_for(birth: date, sex: str, seq: int | None = None, area: str = "110105") -> str:
    """A valid GB 11643 number for this birth date and sex."""
    from stdnum.cn import ric
    seq = _n() if seq is None else seq
    body = f"{area}{birth:%Y%m%d}{(seq % 100) * 10 + (1 if sex == 'male' else 2):03d}"
    return body + ric.calc_check_digit(body + "?")


def household(grid: Grid, **kw):
    from healthgrid.records.services import register_household
    return register_household(grid, {"address": kw.pop("address", f"幸福里{_n()}号"), **kw})


def resident(hh, name="张三", sex="male", birth_date=date(1970, 5, 1), with_id=True,
             created=date(2025, 1, 1), **kw):
    from healthgrid.records.services import register_resident
    data = {"name": name, "sex": sex, "birth_date": birth_date, **kw}
    if with_id and "id_number" not in kw:
        data["id_number"] = id_number_for(birth_date, sex)
    return register_resident(hh, data, created)
