"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.chronic import services as chronic
from healthgrid.extensions import api
from healthgrid.records import views as records_views

from . import api as referral_api, services, views


def init_app(app) -> None:
    """Referral pages and API; a referral brings a chronic patient's next visit closer, and
    the archive page lists a resident's referrals."""
    app.register_blueprint(views.bp)
    api.register_blueprint(referral_api.blp)
    chronic.DUE_LIMITS.add(services.due_limit)
    records_views.RESIDENT_PANELS.add(views.referrals_panel)
