"""Validation of the audit log filters."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate, validates, validates_schema

from healthgrid.forms import Invalid, MAX_ID
from healthgrid.labels import label

ARCHIVE_NO = re.compile(r"[0-9]{17}")
DIGITS = re.compile(r"[0-9]{1,10}")


class AuditSearchSchema(Schema):
    user = fields.String(load_default=None, validate=validate.Length(max=64))
    # The resident's number in the system, or their 17-digit archive number.
    resident = fields.String(load_default=None, validate=validate.Length(max=17))
    action = fields.String(load_default=None, validate=validate.Length(max=48))
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates("resident")
    def _resident(self, value: str, **_kw) -> None:
        if value is None:  # marshmallow 4 validates the load_default too
            return
        is_id = DIGITS.fullmatch(value) is not None and 0 < int(value) <= MAX_ID
        if not (is_id or ARCHIVE_NO.fullmatch(value)):
            raise Invalid(_l("Enter the resident's number in the system or their "
                                     "17-digit archive number."))

    @validates_schema
    def _range(self, data: dict, **_kw) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise Invalid(_l("The end date is before the start date."), "date_to")


# What each audited action is, in words, for the people who read the log; the code stays
# beside it (the filter takes codes and their prefixes).
ACTIONS = {
    "login": _l("Signed in"), "login.failed": _l("Sign-in refused"),
    "login.locked": _l("Account locked"), "logout": _l("Signed out"),
    "resident.view": _l("Opened an archive"), "resident.create": _l("Registered a resident"),
    "resident.update": _l("Edited an archive"),
    "resident.exit": _l("Recorded moving out or death"),
    "household.create": _l("Registered a household"),
    "contract.sign": _l("Signed a family doctor contract"),
    "records.export": _l("Exported residents"), "records.import": _l("Imported residents"),
    "enrollment.create": _l("Enrolled in a program"),
    "enrollment.end": _l("Ended an enrollment"),
    "enrollment.elderly_batch": _l("Enrolled the newly elderly"),
    "followup.create": _l("Recorded a follow-up"),
    "check.create": _l("Recorded an elderly health check"),
    "worklist.view": _l("Opened the worklist"),
    "worklist.export": _l("Downloaded the call list"),
    "referral.print": _l("Printed a referral form"),
    "referral.view_contact": _l("Read a referred patient's phone and address"),
    "kpi.export": _l("Exported indicators"), "kpi.gaps": _l("Opened a gap list"),
    "kpi.gaps_export": _l("Downloaded a gap list"),
    "kpi.report": _l("Printed the performance report"),
    "kpi.weights": _l("Changed the score weights"),
    "survey.record": _l("Recorded a survey answer"),
    "survey.export": _l("Exported survey results"), "survey.card": _l("Printed a contact card"),
    "institution.save": _l("Saved an institution"), "community.save": _l("Saved a community"),
    "grid.save": _l("Saved a grid"), "staff.save": _l("Saved a staff member"),
    "team.save": _l("Saved a team"), "team.member_add": _l("Added a team member"),
    "team.member_end": _l("Ended a team membership"),
    "user.create": _l("Created a user"), "user.password": _l("Changed a password"),
    "user.activate": _l("Reactivated a user"), "user.deactivate": _l("Deactivated a user"),
    "backup": _l("Backed up the database"), "restore": _l("Restored the database"),
    "map.boundary": _l("Drew a grid boundary"),
    "map.import_boundaries": _l("Imported grid boundaries"),
    "map.locate": _l("Placed a household on the map"),
    "map.import_locations": _l("Imported household locations"),
    "map.plan": _l("Printed a grid plan"), "map.panorama": _l("Printed the grid panorama"),
}


def action_text(code: str) -> str:
    """An audited action in words; a referral's or an event's step by its own name."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    domain, _dot, step = code.partition(".")
    if domain == "referral":
        return str(_l("Referral: %(step)s", step=label("referral_action", step)))
    if domain == "event":
        return str(_l("Grid event: %(step)s", step=label("event_action", step)))
    return code
