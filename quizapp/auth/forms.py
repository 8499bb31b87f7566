"""The sign-in form; it checks the password itself and hands the view the user."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from .. import db
from ..models import User
from ..users import PASSWORD_MAX, USERNAME_MAX, authenticate


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
