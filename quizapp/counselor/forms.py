"""Forms for creating and editing quiz links and changing their state."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..catalog import rubrics
from ..disclosure import block_size, count_range
from ..models import QuizLink, today

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
        validators=[Optional(), NumberRange(1, MAX_RESPONSES, "Enter a number from 1 to 100,000.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.rubric_id is not None:
            self.rubric_id.choices = [SelectChoice(r.id, r.title) for r in rubrics().values()]
        self.minimum = int(current_app.config["COHORT_MIN_SIZE"])
        self.max_responses.description = (
            f"Leave empty for no limit. Group figures need at least {self.minimum} responses."
        )

    def validate_label(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("Give the link a label.")

    def validate_expires_on(self, field):
        if field.data is not None and field.data < today():
            raise ValidationError("Choose today or a later day.")

    def validate_max_responses(self, field):
        if field.data is None or field.errors:
            return
        if field.data < self.minimum:
            raise ValidationError(
                f"With fewer than {self.minimum} responses the group figures can never be shown, "
                f"because they could single someone out. Choose {self.minimum} or more, "
                "or leave it empty."
            )


class EditLinkForm(LinkForm):
    """Change a link's label, last day and maximum; its quiz stays, as its responses answered it.

    A value left as it is stored is not checked again, so that a counselor can rename a link that
    has expired (or was made before a rule) without having to reopen it. The maximum is checked
    against the response count as counselors see it (a block of k, never the exact number), so
    trying one maximum after another cannot reveal the exact count either.
    """

    rubric_id = None

    def __init__(self, *args, link: QuizLink, responses: int, **kwargs):
        self.link = link
        self.responses = responses
        super().__init__(*args, obj=link, **kwargs)
        self.received = count_range(responses, self.minimum)
        self.max_responses.description += f" This link has {self.received} responses so far."

    def validate_expires_on(self, field):
        if field.data != self.link.expires_on:
            super().validate_expires_on(field)

    def validate_max_responses(self, field):
        if field.data == self.link.max_responses:
            return
        super().validate_max_responses(field)
        if field.data is None or field.errors or self.responses < self.minimum:
            return  # below k responses, the rule above already asks for more than were received
        least = block_size(self.responses, self.minimum) + self.minimum
        if field.data < least:
            raise ValidationError(
                f"This link has already received {self.received} responses (the exact number "
                f"stays hidden, for privacy), so choose {least} or more, or leave it empty."
            )


class ToggleForm(FlaskForm):
    """An empty form: its only job is the CSRF token on the close/reopen and archive buttons."""
