"""The questionnaire form, built fresh from a rubric for each request."""

from __future__ import annotations

import time

from flask import current_app, session
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..assessment.rubric import Rubric
from ..assessment.scoring import Answer
from ..extensions import csrf_token
from . import keys

NOT_SURE = "ns"
LIKERT_REQUIRED = "Choose an answer, or “Not sure” if you cannot say."
SCENARIO_REQUIRED = "Choose the option closest to what you would most likely do."


FORGED_KEY = "The form's submission key is not one this site made for this browser."


def new_submission_key() -> str:
    """A submission key for a questionnaire page shown to this browser (``keys.issue``)."""
    csrf_token()  # the session then holds its CSRF secret, which the key is bound to
    binding = session[current_app.config["WTF_CSRF_FIELD_NAME"]]
    return keys.issue(current_app.secret_key, binding, time.time())


def check_submission_key(key: str) -> keys.KeyCheck:
    """Whether a posted key is this browser's, and recent (QUIZAPP_SUBMISSION_KEY_MINUTES)."""
    config = current_app.config
    binding = session.get(config["WTF_CSRF_FIELD_NAME"])
    lifetime = 60 * float(config["SUBMISSION_KEY_MINUTES"])
    return keys.check(current_app.secret_key, key, binding, time.time(), lifetime)


class QuestionnaireForm(FlaskForm):
    """Base class; ``questionnaire_form`` adds one radio field per item and scenario."""

    rubric: Rubric
    numbers: dict[str, int]  # question number on the page, by field name, in page order
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
        return tampering(self.rubric, formdata)

    def answered_count(self) -> int:
        """How many questions the posted form answered (with any choice, "Not sure" included)."""
        return sum(1 for name in self.numbers if self[name].data is not None)

    def error_list(self) -> list[tuple[int, str, str, str]]:
        """Return (question number, field name, question text, message) for every question with
        an error, in the order and with the numbers the page shows."""
        return [
            (number, name, str(self[name].label.text), self[name].errors[0])
            for name, number in self.numbers.items()
            if self[name].errors
        ]


_FORMS: dict[tuple[str, str, str], type[QuestionnaireForm]] = {}


def questionnaire_form(rubric: Rubric) -> type[QuestionnaireForm]:
    """The form class of a rubric version, made once (building one costs more than using it)."""
    key = (rubric.id, rubric.version, rubric.content_hash)
    form = _FORMS.get(key)
    if form is None:
        form = _FORMS[key] = _make_form(rubric)
    return form


def _make_form(rubric: Rubric) -> type[QuestionnaireForm]:
    """Return a new form class with one required radio group per question of the rubric."""
    likert = [SelectChoice(str(p.value), p.label) for p in rubric.scale]
    likert.append(SelectChoice(NOT_SURE, rubric.not_sure_label))
    fields: dict[str, object] = {"rubric": rubric, "numbers": rubric.question_numbers}
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


def allowed_values(rubric: Rubric) -> dict[str, dict[str, Answer]]:
    """Each answer field a questionnaire post may carry, with the values it may take, each
    mapped to the answer it stands for (as ``QuestionnaireForm.answers`` gives it)."""
    key = (rubric.id, rubric.version, rubric.content_hash)
    found = _ALLOWED.get(key)
    if found is None:
        likert: dict[str, Answer] = {str(p.value): p.value for p in rubric.scale}
        likert[NOT_SURE] = None
        found = {item.id: likert for item in (*rubric.items, *rubric.checks)}
        found |= {s.id: {o.id: o.id for o in s.options} for s in rubric.scenarios}
        _ALLOWED[key] = found
    return found


_ALLOWED: dict[tuple[str, str, str], dict[str, dict[str, Answer]]] = {}


PAGE_FIELDS = frozenset({"submission_key", "csrf_token"})


def tampering(rubric: Rubric, formdata: MultiDict) -> str | None:
    """Say what is wrong with a request no honest browser would send, or None."""
    return read_post(rubric, formdata)[0]


def read_post(rubric: Rubric, formdata: MultiDict) -> tuple[str | None, dict[str, Answer]]:
    """Check a posted questionnaire in one pass: what is wrong with it that no honest browser
    would send (or None), and the answers it gives, by question id."""
    allowed = allowed_values(rubric)
    answers: dict[str, Answer] = {}
    for key, values in formdata.lists():
        choices = allowed.get(key)
        if choices is None and key not in PAGE_FIELDS:
            return f"The form contained a field that is not part of this quiz ({key[:40]!r}).", {}
        if len(values) > 1:
            return f"The answer to {key[:40]!r} was sent more than once.", {}
        value = values[0]
        if choices is not None:
            if value not in choices:
                return f"The answer to {key!r} is not one of the choices this quiz offers.", {}
            answers[key] = choices[value]
        elif key == "submission_key" and not keys.PATTERN.fullmatch(value):
            return FORGED_KEY, {}
    return None, answers


def complete_answers(rubric: Rubric, answers: dict[str, Answer]) -> dict[str, Answer] | None:
    """The answers of a post that answers every question, as ``answers()`` gives them after
    validation; None when any is missing (the form then says which). ``answers`` comes from
    ``read_post``, which has checked every field and value against the questions."""
    return answers if len(answers) == len(allowed_values(rubric)) else None
