"""QR codes of the grids' survey links (segno, made here, no web service) and the team's
"service contact card" (家庭医生服务联系卡) as a PDF: one A5 landscape card per grid, to hang
in the grid's buildings. Always in Chinese: residents read it."""
from __future__ import annotations

import io
from datetime import date

import segno
from flask import current_app, render_template
from flask_babel import force_locale

from healthgrid import pdfparts
from healthgrid.org.models import Team

from . import services
from .public import survey_url


def _qr(url: str) -> segno.QRCode:
    # Level M survives a smudged print or a phone held at an angle.
    return segno.make(url, error="m")


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=8, border=4, title=url)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    """An SVG data URI that scales to whatever size the page gives it (viewBox, no size)."""
    return _qr(url).svg_data_uri(scale=1, border=4, omitsize=True)


def card_html(team: Team, day: date) -> str:
    members = services.active_members(team, day)
    cards = [{"grid": grid, "url": (url := survey_url(grid.id)), "qr": qr_data_uri(url)}
             for grid in team.grids] or [{"grid": None, "url": None, "qr": None}]
    with force_locale("zh_CN"):
        return render_template("surveys/card_pdf.html", team=team, members=members,
                               cards=cards, institution=team.institution, day=day)


def card_pdf(team: Team, day: date) -> bytes:
    return pdfparts.render(card_html(team, day), current_app.static_folder)
