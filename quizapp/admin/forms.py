"""Admin forms: dashboard and export filters, and managing counselor accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import db
from ..assessment.rubric import Rubric
from ..catalog import rubrics
from ..models import QuizLink
from ..stats import Filters, rubric_versions
from ..users import (
    ADMIN_PASSWORD_MIN,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_MAX,
    UserError,
    check_password,
)


class FilterForm(FlaskForm):
    """Filters read from the query string; every figure and export honours them."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    rubric = SelectField("Quiz and version", validators=[Optional()])
    link = SelectField("Quiz link", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = db.session()
        loaded = rubrics()
        choices = []
        # Versions are never mixed: their statements and scoring rules differ.
        for rubric_id, rubric in loaded.items():
            versions = {v for rid, v in rubric_versions(session) if rid == rubric_id}
            versions.add(rubric.version)
            for version in sorted(versions, reverse=True):
                current = " (current)" if version == rubric.version else ""
                label = f"{rubric.role}: version {version}{current}"
                choices.append(SelectChoice(f"{rubric_id}@{version}", label))
        self.rubric.choices = choices
        links = session.scalars(select(QuizLink).order_by(QuizLink.label)).all()
        self.link.choices = [SelectChoice("", "All results")]
        self.link.choices += [SelectChoice(str(k.id), k.label) for k in links]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date, so no dates are applied.")

    def rubric_version(self, default: Rubric) -> tuple[str, str]:
        """The chosen (rubric id, version); the default rubric's current version if none."""
        rubric_id, _, version = (self.rubric.data or "").partition("@")
        if not rubric_id:
            return default.id, default.version
        return rubric_id, version

    def filters(self, rubric: Rubric) -> Filters:
        """The filters to apply; invalid fields are ignored (their errors are shown)."""
        rubric_id, version = self.rubric_version(rubric)
        dates_ok = not (self.since.errors or self.until.errors)
        return Filters(
            since=self.since.data if dates_ok else None,
            until=self.until.data if dates_ok else None,
            rubric_id=rubric_id,
            rubric_version=version or rubric.version,
            link_id=int(self.link.data) if self.link.data else None,
        )


class NewCounselorForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[InputRequired("Enter a username."), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        description=f"At least {PASSWORD_MIN} characters for a counselor and "
        f"{ADMIN_PASSWORD_MIN} for an admin; common passwords are refused. "
        "Share it with the person privately.",
        validators=[InputRequired("Enter a password.")],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )
    role = SelectField(
        "Role", choices=[SelectChoice("counselor", "Counselor"), SelectChoice("admin", "Admin")]
    )

    def validate_password(self, field):
        """The account rules themselves (quizapp/users.py), for the role chosen."""
        try:
            check_password(field.data, self.role.data, self.username.data or "")
        except UserError as exc:
            raise ValidationError(str(exc)) from None


class PasswordForm(FlaskForm):
    """A new password; its rules depend on the account's role, so the view checks them."""

    password = PasswordField(
        "New password",
        validators=[InputRequired("Enter a password.")],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )


class ConfirmForm(FlaskForm):
    """An empty form that carries the CSRF token of a button."""
