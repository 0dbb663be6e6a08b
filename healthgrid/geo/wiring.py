"""The map domain's place in the app: its API, pages and commands."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def init_app(app: Flask) -> None:
    from healthgrid.extensions import api

    from . import api as geo_api, views
    from .cli import map_cli

    api.register_blueprint(geo_api.blp)
    app.register_blueprint(views.bp)
    app.cli.add_command(map_cli)

    @app.context_processor
    def _grid_map():
        # The public "find my team" page draws the chosen grid (surveys knows no geometry).
        from .printing import small_map_svg
        return {"grid_map_svg": small_map_svg}
    # A base map's tiles come from the server the setting names (none by default).
    tiles = app.config.get("MAP_TILE_URL")
    if tiles:
        parts = urlsplit(tiles)
        host = parts.netloc
        if "{" in host:   # t{s}.tianditu.gov.cn: its subdomains
            host = "*." + host.split(".", 1)[1]
        app.config.setdefault("CSP_IMG_SOURCES", []).append(f"{parts.scheme}://{host}")
