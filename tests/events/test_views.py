"""Event pages: reporting from a phone with photos (type and size checked by content, nothing
stored when refused), the list with overdue events standing out, the event page with its
timeline and only the buttons the user may press, emergencies on the centre's dashboard."""
from datetime import timedelta
from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from healthgrid.events import rules
from healthgrid.events.models import GridEvent, GridEventPhoto
from tests.helpers import csrf_from

from .conftest import DAY, JPEG, PNG, WEBP, make_event, payload, stored_photos


def pixels(data: bytes) -> list:
    with Image.open(BytesIO(data)) as image:
        return [image.size, image.mode, image.tobytes()]


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def _post_report(client, district, files=(), **fields):
    token = csrf_from(client, "/events/new")
    data = {**payload(district, **fields), "csrf_token": token}
    data["photos"] = [(BytesIO(content), name) for name, content in files] or \
        [(BytesIO(b""), "")]
    return client.post("/events/new", data=data, content_type="multipart/form-data")


def test_report_form_offers_the_grids_types_and_modes(login_as, district):
    page = login_as("doctor").get("/events/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    assert district.grids[0].name in page and district.grids[1].name not in page
    assert "食品安全" in page and "聚集性传染病疫情" in page and "紧急类" in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'name="handled_on_spot"' in page
    manager = login_as("manager").get("/events/new").get_data(as_text=True)
    assert district.grids[1].name in manager and 'name="handled_on_spot"' not in manager


def test_doctor_reports_with_photos_which_only_those_in_scope_see(login_as, district, db,
                                                                    photo_dir):
    doctor = login_as("doctor")
    response = _post_report(doctor, district, files=[("摊位.jpg", JPEG), ("水箱.png", PNG),
                                                     ("x.webp", WEBP)])
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(GridEvent))
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert [p.content_type for p in event.photos] == ["image/jpeg", "image/png", "image/webp"]
    assert len(stored_photos(photo_dir)) == 3
    assert all(p.step_id == event.steps[0].id for p in event.photos)
    page = doctor.get(f"/events/{event.id}").get_data(as_text=True)
    assert "事件已上报至社区级" in page  # the flash: coordination goes to the community
    png = event.photos[1]
    url = f"/events/{event.id}/photos/{png.id}"
    assert url in page
    served = doctor.get(url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "no-store" in served.headers["Cache-Control"]
    assert pixels(served.data) == pixels(PNG)  # the picture (encoded afresh, nothing else)
    assert login_as("manager").get(url).status_code == 200
    assert login_as("doctor", team_index=1).get(url).status_code == 404
    other = make_event(district.grids[0])
    db.session.commit()
    assert doctor.get(f"/events/{other.id}/photos/{png.id}").status_code == 404


def test_a_non_image_is_refused_and_nothing_is_stored(login_as, district, db, photo_dir):
    doctor = login_as("doctor")
    for name, content in (("notice.pdf", b"%PDF-1.7\n1 0 obj\n"),
                          ("photo.jpg", b"this is not a photo at all"),
                          ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
                          ("empty.png", b"")):
        response = _post_report(doctor, district, files=[("ok.png", PNG), (name, content)])
        assert response.status_code == 422, name
        assert "不是 JPEG、PNG 或 WebP 照片" in response.get_data(as_text=True), name
    assert _count(db, GridEvent) == 0 and _count(db, GridEventPhoto) == 0
    assert stored_photos(photo_dir) == []


def test_an_oversized_photo_is_refused_and_nothing_is_stored(login_as, district, db,
                                                             photo_dir):
    too_big = PNG + b"\x00" * (rules.SETTINGS.max_photo_bytes + 1 - len(PNG))
    response = _post_report(login_as("doctor"), district, files=[("big.png", too_big)])
    assert response.status_code == 422
    assert "大于 5 MB" in response.get_data(as_text=True)
    assert _count(db, GridEvent) == 0 and stored_photos(photo_dir) == []
    just_fits = PNG + b"\x00" * (rules.SETTINGS.max_photo_bytes - len(PNG))
    assert _post_report(login_as("doctor"), district,
                        files=[("fits.png", just_fits)]).status_code == 302
    assert len(stored_photos(photo_dir)) == 1


def test_at_most_nine_photos(login_as, district, db, photo_dir):
    files = [(f"p{i}.png", PNG) for i in range(rules.SETTINGS.max_photos + 1)]
    response = _post_report(login_as("doctor"), district, files=files)
    assert response.status_code == 422 and "最多保存 9 张照片" in response.get_data(as_text=True)
    assert _count(db, GridEvent) == 0 and stored_photos(photo_dir) == []


def test_the_kind_comes_from_the_content_not_the_name(login_as, district, db, photo_dir):
    response = _post_report(login_as("doctor"), district, files=[("scan.txt", JPEG)])
    assert response.status_code == 302
    [photo] = db.session.scalars(select(GridEventPhoto)).all()
    assert photo.content_type == "image/jpeg" and photo.stored_name.endswith(".jpg")


def test_a_report_without_csrf_token_is_refused(login_as, district, db):
    response = login_as("doctor").post("/events/new", data=payload(district))
    assert response.status_code == 400
    assert _count(db, GridEvent) == 0


def test_invalid_report_shows_the_fields_and_keeps_the_input(login_as, district, db):
    response = _post_report(login_as("doctor"), district, place="", description="只写了描述")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "只写了描述" in page and 'aria-invalid="true"' in page
    assert _count(db, GridEvent) == 0


def test_on_the_spot_handling_from_the_form(login_as, district, db):
    response = _post_report(login_as("doctor"), district, mode="general",
                            handled_on_spot="已劝离无证行医人员")
    assert response.status_code == 302
    event = db.session.scalar(select(GridEvent))
    assert event.status == "closed" and event.feedback == "已劝离无证行医人员"
    refused = _post_report(login_as("doctor"), district, mode="emergency",
                           handled_on_spot="已处理")
    assert refused.status_code == 409 and _count(db, GridEvent) == 1


def test_the_list_makes_overdue_events_stand_out_and_filters(login_as, district, db):
    grid = district.grids[0]
    late = make_event(grid, status="dispatched", deadline=DAY - timedelta(days=2),
                      assignee="区卫生监督所")
    on_time = make_event(grid, status="accepted", event_type="school")
    db.session.commit()
    client = login_as("doctor")
    page = client.get("/events/").get_data(as_text=True)
    assert f'class="alert overdue" data-event="{late.id}"' in page
    assert f'class="" data-event="{on_time.id}"' in page
    assert "逾期" in page
    overdue_only = client.get("/events/?overdue=true").get_data(as_text=True)
    assert f'data-event="{late.id}"' in overdue_only
    assert f'data-event="{on_time.id}"' not in overdue_only
    school = client.get("/events/?event_type=school").get_data(as_text=True)
    assert f'data-event="{on_time.id}"' in school and f'data-event="{late.id}"' not in school
    assert client.get("/events/?status=nonsense").status_code == 200  # ignored, said so


def test_detail_shows_the_timeline_and_only_the_allowed_buttons(login_as, district, db):
    event = make_event(district.grids[0], level="community", mode="coordination")
    db.session.commit()
    doctor = login_as("doctor").get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="timeline"' in doctor and "上报" in doctor
    assert 'id="actions"' not in doctor  # the community accepts, not the grid
    manager = login_as("manager").get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="action-accept"' in manager and 'id="action-escalate"' in manager
    assert 'id="action-dispatch"' not in manager and 'id="action-close"' not in manager


def test_the_loop_through_the_pages(login_as, district, db):
    event = make_event(district.grids[0], level="community", mode="coordination")
    db.session.commit()
    url = f"/events/{event.id}"
    manager, doctor = login_as("manager"), login_as("doctor")

    def press(client, action, **fields):
        token = csrf_from(client, url)
        return client.post(f"{url}/transitions", data={"action": action, "csrf_token": token,
                                                       **fields})

    assert press(manager, "accept").status_code == 302
    missing = press(manager, "dispatch", assignee="")
    assert missing.status_code == 422 and "请指定处置的人员或单位" in missing.get_data(as_text=True)
    assert press(manager, "dispatch", assignee="街道城管科",
                 deadline=(DAY + timedelta(days=2)).isoformat()).status_code == 302
    assert press(doctor, "close").status_code == 409  # out of order: nothing changes
    token = csrf_from(doctor, url)
    handled = doctor.post(f"{url}/transitions", content_type="multipart/form-data", data={
        "action": "handle", "note": "已清理积水，消杀完毕", "csrf_token": token,
        "photos": [(BytesIO(PNG), "after.png")]})
    assert handled.status_code == 302
    assert press(manager, "close").status_code == 302
    db.session.expire_all()
    event = db.session.get(GridEvent, event.id)
    assert event.status == "closed" and len(event.photos) == 1
    assert [s.action for s in event.steps] == ["report", "accept", "dispatch", "handle",
                                               "close"]
    page = doctor.get(url).get_data(as_text=True)
    assert "已清理积水，消杀完毕" in page and "街道城管科" in page and "按期" in page


def test_emergencies_show_on_the_centres_dashboard_and_badge_until_accepted(
        login_as, district, db):
    event = make_event(district.grids[1], level="centre", mode="emergency",
                       event_type="infectious_cluster")
    db.session.commit()
    manager = login_as("manager")
    dashboard = manager.get("/kpi/").get_data(as_text=True)
    assert 'id="pending-emergencies"' in dashboard and f"/events/{event.id}" in dashboard
    assert 'class="badge emergency"' in dashboard
    token = csrf_from(manager, f"/events/{event.id}")
    manager.post(f"/events/{event.id}/transitions", data={"action": "accept",
                                                          "csrf_token": token})
    dashboard = manager.get("/kpi/").get_data(as_text=True)
    assert 'id="pending-emergencies"' not in dashboard
    assert 'class="badge emergency"' not in dashboard
    assert 'id="pending-emergencies"' not in login_as("doctor", team_index=1).get(
        "/kpi/").get_data(as_text=True)


def test_doctors_badge_counts_what_waits_at_the_grid(login_as, district, db):
    make_event(district.grids[0])                                   # to accept
    make_event(district.grids[0], status="handled")                 # to verify
    make_event(district.grids[0], status="dispatched")              # with someone else
    make_event(district.grids[1])                                   # another grid
    db.session.commit()
    page = login_as("doctor").get("/events/").get_data(as_text=True)
    nav = page.split('id="nav-events"')[1].split("</a>")[0]
    assert '<span class="badge" title="本级待办的网格事件">2</span>' in nav


def test_referral_desks_have_no_event_pages(login_as, district):
    desk = login_as("referral_desk")
    assert desk.get("/events/").status_code == 403
    assert 'id="nav-events"' not in desk.get("/referrals/").get_data(as_text=True)


def test_english_interface(login_as, district, db):
    client = login_as("doctor")
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/events/new").get_data(as_text=True)
    assert "Report an event" in page and "Food safety" in page
