"""The map domain's place in the app: its API, pages and commands."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from healthgrid.extensions import api

    from . import api as geo_api

    api.register_blueprint(geo_api.blp)
