"""Forms for creating and editing quiz links and changing their state."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..reporting.disclosure import block_size, count_range
from ..storage.catalog import rubrics
from ..storage.links import counted_maximum
from ..storage.models import QuizLink, today

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
        self.minimum = k = int(current_app.config["COHORT_MIN_SIZE"])
        self.least = k  # the smallest maximum allowed
        self.max_responses.description = (
            f"Leave empty for no limit. Group figures need at least {k} responses. Choose a "
            f"multiple of {k} ({k}, {2 * k}, {3 * k}, ...), as you see the number of responses "
            f"in blocks of {k}."
        )
        # Arrows step through whole blocks; the form is sent with novalidate, so a maximum saved
        # before this rule can still be kept as it is.
        self.max_responses.render_kw = {"min": k, "step": k}

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
        k = self.minimum
        if field.data < k:
            raise ValidationError(
                f"With fewer than {k} responses the group figures can never be shown, "
                f"because they could single someone out. Choose {k} or more, "
                "or leave it empty."
            )
        if field.data % k:
            # A link reads "Full" when it reaches its maximum; anywhere but at the top of a
            # block that would pin the count the counselor otherwise sees as a range of k.
            least = self.least
            raise ValidationError(
                f"The maximum must be a multiple of {k} ({least}, {least + k}, {least + 2 * k}, "
                "...), so that it never tells you the exact number of responses."
            )


class EditLinkForm(LinkForm):
    """Change a link's label, last day and maximum; its quiz stays, as its responses answered it.

    A value left as it is stored is not checked again, so that a counselor can rename a link that
    has expired (or was made before a rule) without having to reopen it; a saved maximum that is
    not a multiple of k (saved before maxima came in whole blocks, or before k changed) counts as
    its whole blocks (``counted_maximum``), and the page says so. The maximum is checked against
    the response count as counselors see it (a block of k, never the exact number), so trying
    one maximum after another cannot reveal the exact count either.
    """

    rubric_id = None

    def __init__(self, *args, link: QuizLink, responses: int, **kwargs):
        self.link = link
        super().__init__(*args, obj=link, **kwargs)
        k = self.minimum
        self.least = block_size(responses, k) + k  # above the block already received
        self.received = count_range(responses, k)
        self.max_responses.description += f" This link has {self.received} responses so far."
        saved = link.max_responses
        counted = counted_maximum(saved, k)
        if counted != saved:
            full = (
                f"it takes no more responses once it has {counted}."
                if counted
                else "it takes no responses until you change the maximum."
            )
            self.max_responses.description += (
                f" This link's maximum, {saved}, is not a multiple of {k}, so it counts as "
                f"{counted}: {full}"
            )

    def validate_expires_on(self, field):
        if field.data != self.link.expires_on:
            super().validate_expires_on(field)

    def validate_max_responses(self, field):
        if field.data == self.link.max_responses:
            return
        if field.data is not None and not field.errors and self.minimum <= field.data < self.least:
            raise ValidationError(
                f"This link has already received {self.received} responses (the exact number "
                f"stays hidden, for privacy), so choose {self.least} or more, or leave it empty."
            )
        super().validate_max_responses(field)


class ToggleForm(FlaskForm):
    """An empty form: its only job is the CSRF token on the close/reopen and archive buttons."""
