"""Places where one domain lets others add to what it does (the archive page's panels, a
resident's programs and timeline, the limits on a chronic due date), and the navigation's
counters. Each domain adds itself in its own init_app."""
from __future__ import annotations

from flask import current_app, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError


class Hooks(list):
    """Functions that other domains add. The app factory may run more than once in a process
    (the tests make an app per run and per scratch database): adding a function twice keeps
    one."""

    def add(self, function):
        if function not in self:
            self.append(function)
        return function


def nav_counter(name: str, count, roles: tuple[str, ...] | None = None):
    """A navigation counter for the signed-in user, `count(user, scope) -> {key: n}`: counted
    once per request and only when a page shows the navigation."""
    def read() -> dict[str, int]:
        from healthgrid.auth.scope import current_scope
        if not current_user.is_authenticated or (roles and current_user.role not in roles):
            return {}
        key = f"_nav_{name}"
        if key not in g:
            try:
                setattr(g, key, count(current_user, current_scope()))
            except SQLAlchemyError:  # a counter must never take the page down with it
                current_app.logger.exception("%s counters", name)
                setattr(g, key, {})
        return g.get(key)
    return read
