"""Forms for creating quiz links and changing their state."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..catalog import rubrics
from ..models import today

LABEL_MAX = 120
MAX_RESPONSES = 100_000


class LinkForm(FlaskForm):
    label = StringField(
        "Label",
        description="Your own words, so you can tell your links apart, for example "
        "“Spring cohort, evening class”. Quiz takers do not see it.",
        validators=[InputRequired("Give the link a label."), Length(max=LABEL_MAX)],
    )
    rubric_id = SelectField("Quiz")  # the field itself refuses a value that is not a choice
    expires_on = DateField(
        "Open until (optional)",
        description="The last day the link takes responses. Leave empty to keep it open.",
        validators=[Optional()],
    )
    max_responses = IntegerField(
        "Maximum number of responses (optional)",
        description="Leave empty for no limit.",
        validators=[Optional(), NumberRange(1, MAX_RESPONSES, "Enter a number from 1 to 100,000.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric_id.choices = [SelectChoice(r.id, r.title) for r in rubrics().values()]

    def validate_label(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("Give the link a label.")

    def validate_expires_on(self, field):
        if field.data is not None and field.data < today():
            raise ValidationError("Choose today or a later day.")


class ToggleForm(FlaskForm):
    """An empty form: its only job is the CSRF token on the open/close button."""
