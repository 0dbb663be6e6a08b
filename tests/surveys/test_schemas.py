"""Every validation rule of a survey answer, as the form, the API and the public page
share it: satisfaction 1–5, channel, no future date, comment length and control characters."""
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from healthgrid.surveys.schemas import AnswerSchema, StaffEntrySchema, SurveyResponseSchema

from .conftest import DAY

VALID = {"grid_id": 1, "date": DAY.isoformat(), "channel": "door", "aware": True,
         "knows_doctor": False, "satisfaction": 4, "comment": "服务很好"}


def _errors(schema, **changes) -> dict:
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not ...}
    with pytest.raises(ValidationError) as info:
        schema.load(data)
    return info.value.messages


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def test_a_complete_answer_loads():
    data = SurveyResponseSchema().load(VALID)
    assert data["date"] == DAY and data["satisfaction"] == 4 and data["aware"] is True


def test_only_aware_is_required_of_the_answers():
    data = SurveyResponseSchema().load({"grid_id": 1, "date": "2026-05-01", "channel": "phone",
                                        "aware": "0", "satisfaction": "", "comment": ""})
    assert data["aware"] is False
    assert data["knows_doctor"] is None and data["satisfaction"] is None and data["comment"] is None
    assert "aware" in _errors(SurveyResponseSchema(), aware=...)


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5, "5"])
def test_satisfaction_from_one_to_five(score):
    data = SurveyResponseSchema().load({**VALID, "satisfaction": score})
    assert data["satisfaction"] == int(score)


@pytest.mark.parametrize("score", [0, 6, -1, 10, "x", 3.5])
def test_satisfaction_outside_one_to_five_is_refused(score):
    assert "satisfaction" in _errors(SurveyResponseSchema(), satisfaction=score)


@pytest.mark.parametrize("channel", ["door", "phone", "qr"])
def test_channels_of_the_api(channel):
    assert SurveyResponseSchema().load({**VALID, "channel": channel})["channel"] == channel


@pytest.mark.parametrize("channel", ["fax", "", "QR", None])
def test_unknown_channel_is_refused(channel):
    assert "channel" in _errors(SurveyResponseSchema(), channel=channel)


def test_staff_form_records_door_and_phone_only():
    assert StaffEntrySchema().load({**VALID, "channel": "phone"})["channel"] == "phone"
    assert "channel" in _errors(StaffEntrySchema(), channel="qr")


def test_date_may_be_today_or_past_but_not_future():
    past = SurveyResponseSchema().load({**VALID, "date": "2025-12-31"})
    assert past["date"] == date(2025, 12, 31)
    errors = _errors(SurveyResponseSchema(), date=(DAY + timedelta(days=1)).isoformat())
    assert list(errors) == ["date"]
    assert "date" in _errors(SurveyResponseSchema(), date="2026-02-30")


def test_comment_up_to_500_characters():
    assert len(SurveyResponseSchema().load({**VALID, "comment": "好" * 500})["comment"]) == 500
    assert "comment" in _errors(SurveyResponseSchema(), comment="好" * 501)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f"])
def test_comment_with_control_characters_is_refused(char):
    assert "comment" in _errors(SurveyResponseSchema(), comment=f"很好{char}")


def test_comment_may_have_line_breaks():
    assert AnswerSchema().load({"aware": "1", "comment": "第一行\r\n第二行"})["comment"] == "第一行\r\n第二行"


def test_public_answer_has_no_grid_date_channel_or_resident():
    with pytest.raises(ValidationError) as info:
        AnswerSchema().load({"aware": "1", "resident_id": 3, "channel": "door"})
    assert set(info.value.messages) == {"resident_id", "channel"}
