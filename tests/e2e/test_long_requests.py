"""A long API request (many filters in its query) is answered by the app in its JSON, not
by gunicorn's own HTML 400 for a request line over 4,094 bytes (gunicorn.conf.py)."""
from tests.e2e.test_concurrency import _call, _token


def test_a_long_query_gets_the_apis_own_answer(live_server):
    token = _token(live_server, "manager")
    query = "&".join(["grid_id=abc"] * 500)          # 6,000 bytes
    status, body = _call(live_server, "GET", f"/api/v1/events?{query}", token)
    assert status == 422 and "grid_id" in body["errors"]
