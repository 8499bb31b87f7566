"""Admin forms: dashboard and export filters, and managing staff accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from ..assessment.rubric import Rubric
from ..reporting.stats import Filters, rubric_versions
from ..storage import db
from ..storage.catalog import rubrics
from ..storage.models import QuizLink
from ..storage.users import ROLES, USERNAME_MAX

ROLE_CHOICES = [SelectChoice("counselor", "Counselor"), SelectChoice("admin", "Admin")]


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

    def query(self) -> dict[str, str]:
        """The filters as given, for links that keep them (exports): this form's fields only,
        so nothing else in the address (say ``_method`` or ``_scheme``) reaches ``url_for``."""
        return {f.name: f.raw_data[0] for f in self if f.raw_data and f.raw_data[0]}

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
            link_id=int(self.link.data) if self.link.data and not self.link.errors else None,
        )


class NewCounselorForm(FlaskForm):
    """A new account: a name and a role. Its owner chooses the password through a link."""

    username = StringField(
        "Username",
        validators=[InputRequired("Enter a username."), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField("Role", choices=ROLE_CHOICES)


class SecondStepForm(FlaskForm):
    """A confirmation page's form; a post without its ``confirm=yes`` skipped the page."""

    confirm = HiddenField()

    def confirmed(self) -> bool:
        return self.is_submitted() and self.confirm.data == "yes"


class RoleForm(SecondStepForm):
    """The role an account is to have, confirmed."""

    role = HiddenField(validators=[AnyOf(ROLES)])


class RemoveForm(SecondStepForm):
    """What becomes of a removed account's quiz links: passed to an admin, or archived."""

    links = RadioField(
        "Their quiz links",
        choices=[
            SelectChoice("pass", "Pass them on as they are, still taking responses"),
            SelectChoice("archive", "Archive them: they take no more responses"),
        ],
        default="pass",
        validators=[InputRequired("Choose what happens to their quiz links.")],
    )
    to = SelectField("Admin who takes them over", description="Their results stay with the links.")

    def __init__(self, admins, has_links: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.to.choices = [SelectChoice(str(a.id), a.username) for a in admins]
        if not has_links:  # nothing to decide: only the confirming button
            del self.links
            del self.to


class ConfirmForm(FlaskForm):
    """An empty form that carries the CSRF token of a button."""
