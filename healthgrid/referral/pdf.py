"""The standard two-way referral form (双向转诊单) as a PDF: stub and form, up version
(转出单) or return version (回转单). Always in Chinese: it is a national paper form."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_login import current_user

from healthgrid import pdfparts
from healthgrid.auth.scope import current_scope
from healthgrid.labels import label
from healthgrid.records.rules import age_on

from .models import Referral


@dataclass
class FormFacts:
    """What the form prints about the patient, each in its place."""
    name: str
    sex: str
    age: str
    archive_no: str
    address: str
    phone: str


def _facts(referral: Referral) -> FormFacts:
    resident = referral.resident
    age = "" if referral.patient_birth_date is None else str(
        age_on(referral.patient_birth_date, referral.referred_on))
    # An up referral carries the sending team's archive details by design; a down one
    # prints them only for those who may read the archive (never for the hospital).
    shows_archive = resident is not None and (
        referral.direction == "up" or (current_user.role in ("admin", "manager", "doctor")
                                       and current_scope().allows_grid(resident.grid_id)))
    household = resident.household if shows_archive else None
    return FormFacts(
        name=referral.patient_name, sex=label("sex", referral.patient_sex), age=age,
        archive_no=resident.archive_no if shows_archive else "",
        address=household.address if household else "",
        phone=(resident.phone or household.phone or "") if household else "")


def render_form_html(referral: Referral) -> str:
    with force_locale("zh_CN"):
        return render_template("referral/form_pdf.html", referral=referral,
                               facts=_facts(referral), day=referral.referred_on,
                               urgency=label("urgency", referral.urgency))


def referral_form_pdf(referral: Referral) -> bytes:
    return pdfparts.render(render_form_html(referral), current_app.static_folder)
