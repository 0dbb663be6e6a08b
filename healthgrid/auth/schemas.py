from flask_babel import lazy_gettext as _l
from healthgrid.forms import Id
from marshmallow import Schema, fields, validate

from .models import ROLES


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class TokenOutSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{3,64}$", error=_l("3–64 letters, digits, dots, dashes or underscores.")))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    institution_id = Id(allow_none=True)
    staff_id = Id(allow_none=True)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=256))
    new_password = fields.String(required=True, validate=validate.Length(max=256))
    confirm_password = fields.String(required=True, validate=validate.Length(max=256))
