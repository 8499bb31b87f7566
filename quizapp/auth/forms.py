"""The sign-in form, which checks the password itself and hands the view the user, and the
set-password form of a new or reset account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from ..storage import db
from ..storage.models import User
from ..storage.users import (
    PASSWORD_MAX,
    USERNAME_MAX,
    UserError,
    authenticate,
    check_password,
    password_min,
)


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[InputRequired("Enter your username."), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    user: User | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.user = authenticate(db.session(), self.username.data, self.password.data)
        if self.user is None:
            self.form_errors.append("That username and password do not match an active account.")
            return False
        return True


class SetPasswordForm(FlaskForm):
    """A new password typed twice, held to the account's rules for its role (quizapp/users.py)."""

    password = PasswordField(
        "New password",
        validators=[InputRequired("Enter a password.")],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )
    confirm = PasswordField(
        "The same password again",
        validators=[
            InputRequired("Enter the password a second time."),
            EqualTo("password", "The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.password.render_kw = {**self.password.render_kw, "minlength": password_min(user.role)}
        self.password.description = (
            f"At least {password_min(user.role)} characters. Long phrases are easy to remember; "
            "common or breached passwords are refused."
        )

    def validate_password(self, field):
        try:
            check_password(field.data, self.user.role, self.user.username)
        except UserError as exc:
            raise ValidationError(str(exc)) from None
