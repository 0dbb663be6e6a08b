"""The one pager of the long lists (archives, gap lists, events, referrals, audit log)."""
from flask_babel import force_locale


def _render(app, *args):
    template = app.jinja_env.from_string(
        '{% from "_forms.html" import pager %}{{ pager(*args) }}')
    with app.test_request_context(), force_locale("zh_CN"):
        return template.render(args=args)


def test_the_middle_page_links_both_ways_keeping_the_list_arguments(app):
    html = _render(app, "records.residents", 2, 45, 20, {"q": "zs", "grid_id": 7})
    assert "第 2 / 3 页" in html
    assert "page=1" in html and "page=3" in html
    assert html.count("q=zs") == 2 and html.count("grid_id=7") == 2


def test_first_and_last_pages_link_one_way(app):
    first = _render(app, "events.index", 1, 41, 20, {})
    assert "page=2" in first and "page=0" not in first and "第 1 / 3 页" in first
    last = _render(app, "events.index", 3, 41, 20, {})
    assert "page=2" in last and "page=4" not in last


def test_a_single_page_shows_no_pager(app):
    assert "pager" not in _render(app, "referral.index", 1, 20, 20, {})
    assert "pager" not in _render(app, "referral.index", 1, 0, 20, {})
