"""No lost update: two clients edit the same archive or enrollment at the same moment
against the running server (gunicorn, two workers; PostgreSQL in CI's second run). One
wins, the other is told of the conflict, and the winner's change is what stays."""
import json
import threading
import urllib.error
import urllib.request

ROUNDS = 8


def _call(base, method, path, token=None, body=None):
    request = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _token(base, username):
    status, body = _call(base, "POST", "/api/v1/auth/token",
                         body={"username": username, "password": "HealthGrid-2026"})
    assert status == 200, body
    return body["token"]


def _together(calls):
    """Run the calls at the same instant; their (status, body) answers in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        answers[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_archive_edits_one_wins_one_conflicts(live_server):
    base = live_server
    tokens = [_token(base, "doctor"), _token(base, "nurse")]
    status, page = _call(base, "GET", "/api/v1/residents?per_page=5", tokens[0])
    assert status == 200 and page["items"]
    resident_id = page["items"][0]["id"]
    for round_ in range(ROUNDS):
        status, current = _call(base, "GET", f"/api/v1/residents/{resident_id}", tokens[0])
        version = current["version"]
        texts = [f"甲-{round_}", f"乙-{round_}"]
        answers = _together([
            lambda t=token, x=text: _call(base, "PATCH", f"/api/v1/residents/{resident_id}", t,
                                          {"version": version, "allergies": x})
            for token, text in zip(tokens, texts)])
        codes = sorted(code for code, _ in answers)
        assert codes == [200, 409], answers
        winner = texts[[code for code, _ in answers].index(200)]
        _, after = _call(base, "GET", f"/api/v1/residents/{resident_id}", tokens[0])
        assert after["allergies"] == winner and after["version"] == version + 1


def test_concurrent_visits_on_one_enrollment_never_both_move_the_schedule(live_server):
    base = live_server
    tokens = [_token(base, "doctor"), _token(base, "nurse")]
    _, page = _call(base, "GET", "/api/v1/residents?per_page=50", tokens[0])
    for item in page["items"]:
        status, enrollment = _call(base, "POST", f"/api/v1/residents/{item['id']}/enrollments",
                                   tokens[0], {"program": "hypertension",
                                               "enrolled_on": "2026-01-05"})
        if status == 201:
            break
    assert status == 201, enrollment
    url = f"/api/v1/enrollments/{enrollment['id']}/followups"
    answers = _together([
        lambda t=token, d=day: _call(base, "POST", url, t, {"visit_date": d, "sbp": 128,
                                                             "dbp": 80})
        for token, day in zip(tokens, ("2026-02-01", "2026-02-02"))])
    codes = sorted(code for code, _ in answers)
    # Both visits may be recorded one after the other, or the second may be refused as a
    # conflict; never may the schedule miss the visit that was saved last.
    assert codes in ([201, 201], [201, 409]), answers
    _, listed = _call(base, "GET", f"/api/v1/residents/{item['id']}/enrollments", tokens[0])
    mine = next(e for e in listed if e["id"] == enrollment["id"])
    saved = [a for code, a in answers if code == 201]
    assert mine["next_due_date"] == max(a["next_due_date"] for a in saved)
