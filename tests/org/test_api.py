"""GET /api/v1/grids, /teams and /institutions, scoped to the caller."""


def test_token_then_grids_for_a_manager(app, district, db):
    from tests import factories
    factories.user_for(district, "manager", username="apimgr")
    db.session.commit()
    client = app.test_client()
    response = client.post("/api/v1/auth/token",
                           json={"username": "apimgr", "password": factories.PASSWORD})
    assert response.status_code == 200
    token = response.json["token"]
    assert response.json["expires_at"]
    grids = client.get("/api/v1/grids", headers={"Authorization": f"Bearer {token}"}).json
    assert {g["name"] for g in grids} == {"幸福里第1网格", "幸福里第2网格"}
    assert set(grids[0]) >= {"id", "code", "name", "kind", "community_id", "team_id",
                             "population", "households"}


def test_wrong_credentials_answer_401_json(client, district):
    response = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    assert response.status_code == 401
    assert response.json["code"] == 401 and response.json["message"]


def test_missing_fields_answer_422_with_field_errors(client):
    response = client.post("/api/v1/auth/token", json={"username": "x"})
    assert response.status_code == 422
    assert "password" in response.json["errors"]


def test_doctor_sees_own_grid_and_team_only(api_as, district):
    client, headers = api_as("doctor")
    grids = client.get("/api/v1/grids", headers=headers).json
    assert [g["id"] for g in grids] == [district.grids[0].id]
    teams = client.get("/api/v1/teams", headers=headers).json
    assert [t["id"] for t in teams] == [district.teams[0].id]
    assert teams[0]["grid_ids"] == [district.grids[0].id]
    assert {m["role"] for m in teams[0]["members"]} == {"gp", "nurse", "public_health"}


def test_referral_desk_sees_no_grids_but_all_institutions(api_as, district):
    client, headers = api_as("referral_desk")
    assert client.get("/api/v1/grids", headers=headers).json == []
    names = {i["name"] for i in client.get("/api/v1/institutions", headers=headers).json}
    assert {"测试社区卫生服务中心", "区人民医院"} <= names


def test_token_stops_working_when_user_is_deactivated(api_as, db):
    client, headers = api_as("manager")
    assert client.get("/api/v1/grids", headers=headers).status_code == 200
    from healthgrid.auth.services import set_active
    set_active(client.user, False)
    db.session.commit()
    assert client.get("/api/v1/grids", headers=headers).status_code == 401


def test_expired_token_is_refused(api_as, db):
    from datetime import timedelta

    from healthgrid.auth.models import ApiToken
    client, headers = api_as("manager")
    for token in db.session.query(ApiToken).filter_by(user_id=client.user.id):
        token.expires_at -= timedelta(hours=2)
    db.session.commit()
    assert client.get("/api/v1/grids", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(login_as):
    client = login_as("manager")
    assert client.get("/api/v1/grids").status_code == 401


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/auth/token", "/api/v1/grids", "/api/v1/teams"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
