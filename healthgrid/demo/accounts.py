"""Step 3: the demo accounts, one per role, sharing one password."""
from __future__ import annotations

from healthgrid.auth.services import create_user
from healthgrid.extensions import db

from .context import DemoContext, DemoUser

DEMO_PASSWORD = "HealthGrid-2026"


def create_accounts(ctx: DemoContext, password: str = DEMO_PASSWORD) -> None:
    wanted = [
        ("admin", "admin", None, None, "系统管理员"),
        ("manager", "manager", ctx.centre_id, None, "中心管理者"),
        ("hospital", "referral_desk", ctx.hospital_id, None, "区人民医院转诊办"),
    ]
    for username, team, role in (("doctor", 0, "gp"), ("doctor2", 1, "gp"),
                                 ("nurse", 0, "nurse")):
        if team < len(ctx.teams):
            plan = ctx.teams[team]
            staff_id, name, title = plan.core[role]
            wanted.insert(-1, (username, "doctor", ctx.centre_id, staff_id,
                               f"{name}（{title}，{plan.name}）"))
    for username, role, institution_id, staff_id, description in wanted:
        create_user(username, password, role, institution_id=institution_id, staff_id=staff_id)
        ctx.users.append(DemoUser(username, role, password, description))
    db.session.commit()
    ctx.counts["users"] = len(ctx.users)
