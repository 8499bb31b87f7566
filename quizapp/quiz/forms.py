"""The questionnaire form, built fresh from a rubric for each request."""

from __future__ import annotations

import re
import secrets

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..assessment.rubric import Rubric
from ..assessment.scoring import Answer

NOT_SURE = "ns"
LIKERT_REQUIRED = "Choose an answer, or “Not sure” if you cannot say."
SCENARIO_REQUIRED = "Choose the option closest to what you would most likely do."


KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


class QuestionnaireForm(FlaskForm):
    """Base class; ``questionnaire_form`` adds one radio field per item and scenario."""

    rubric: Rubric
    # A one-time key per questionnaire page, kept when the page comes back with an error: a
    # second post of the same page (Back, reload, a double click) finds the first result.
    submission_key = HiddenField(default=new_submission_key)

    def answers(self) -> dict[str, Answer]:
        """Return validated answers: Likert items as 1-5 or None ("Not sure"), scenarios as ids."""
        out: dict[str, Answer] = {}
        for item in (*self.rubric.items, *self.rubric.checks):
            value = self[item.id].data
            out[item.id] = None if value == NOT_SURE else int(value)
        for scenario in self.rubric.scenarios:
            out[scenario.id] = self[scenario.id].data
        return out

    def tampering(self, formdata: MultiDict) -> str | None:
        """Say what is wrong with a request no honest browser would send, or None."""
        names = {f.name for f in self} | {"csrf_token"}
        for key in formdata:
            if key not in names:
                return f"The form contained a field that is not part of this quiz ({key[:40]!r})."
            if len(formdata.getlist(key)) > 1:
                return f"The answer to {key[:40]!r} was sent more than once."
            if key == "submission_key":
                if not KEY_PATTERN.fullmatch(formdata[key]):
                    return "The form's submission key is not one this site makes."
                continue
            field = self[key] if key != "csrf_token" else None
            if field is not None and formdata[key] not in {c.value for c in field.choices}:
                return f"The answer to {key!r} is not one of the choices this quiz offers."
        return None

    def error_list(self) -> list[tuple[str, str, str]]:
        """Return (field name, question text, message) for every field with an error, in order."""
        return [(f.name, str(f.label.text), f.errors[0]) for f in self if f.errors]


def questionnaire_form(rubric: Rubric) -> type[QuestionnaireForm]:
    """Return a new form class with one required radio group per question of the rubric."""
    likert = [SelectChoice(str(p.value), p.label) for p in rubric.scale]
    likert.append(SelectChoice(NOT_SURE, rubric.not_sure_label))
    fields: dict[str, object] = {"rubric": rubric}
    for item in (*rubric.items, *rubric.checks):
        fields[item.id] = RadioField(
            item.text, choices=likert, validators=[InputRequired(LIKERT_REQUIRED)]
        )
    for scenario in rubric.scenarios:
        choices = [SelectChoice(o.id, o.text) for o in scenario.options]
        fields[scenario.id] = RadioField(
            scenario.prompt, choices=choices, validators=[InputRequired(SCENARIO_REQUIRED)]
        )
    return type(f"Questionnaire_{rubric.id}", (QuestionnaireForm,), fields)
