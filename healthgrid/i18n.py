"""Language: Simplified Chinese by default, English on request (session)."""
from flask import Flask, current_app, session
from flask_babel import get_locale


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def init_templates(app: Flask) -> None:
    from . import labels

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale()), "label": labels.label,
                "reason_text": labels.reason_text}
