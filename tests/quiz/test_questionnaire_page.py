"""The shipped rubric's questionnaire page: its size, what varies per request, and the error summary."""

import re

import pytest

from quizapp.assessment.rubric import load_file
from tests.conftest import REAL_RUBRICS, make_app

TPM = load_file(REAL_RUBRICS / "technical-project-manager.yaml")
PER_REQUEST = re.compile(r'(name="(?:csrf_token|submission_key)"[^>]*\bvalue=")[^"]*(")')
MAX_PAGE_BYTES = 60_000


@pytest.fixture
def client(tmp_path, migrated_db):
    """The shipped rubric with CSRF on, as deployed: the page carries its real token."""
    app = make_app(
        tmp_path,
        migrated_db,
        RUBRICS_DIR=str(REAL_RUBRICS),
        DEFAULT_RUBRIC=TPM.id,
        WTF_CSRF_ENABLED=True,
    )
    return app.test_client()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page).group(1)


def test_the_page_stays_small(client):
    response = client.get("/quiz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<fieldset") == TPM.question_count == 51
    assert len(response.data) <= MAX_PAGE_BYTES, f"{len(response.data)} bytes"


def test_only_the_csrf_token_and_submission_key_differ_between_requests(client):
    """The page can be rendered once per rubric version and reused: nothing else is per request."""
    first = client.get("/quiz").get_data(as_text=True)
    other_browser = client.application.test_client().get("/quiz").get_data(as_text=True)
    assert len(PER_REQUEST.findall(first)) == 2 and first != other_browser
    assert PER_REQUEST.sub(r"\1\2", first) == PER_REQUEST.sub(r"\1\2", other_browser)


def test_every_choice_keeps_its_label_and_the_form_names_its_rubric_version(client):
    page = client.get("/quiz").get_data(as_text=True)
    assert f'data-answers-key="quizapp-answers:{TPM.id}:{TPM.version}"' in page
    first = TPM.sections[0].items[0]
    for point in TPM.scale:
        assert (
            f'<label class="choice"><input type="radio" name="{first}" value="{point.value}" '
            f"required><span>{point.label}</span></label>"
        ) in page
    assert page.count(f"<span>{TPM.not_sure_label}</span></label>") == 42 + 2
    # Without scripts, the progress bar, its clear button and the restore notice stay hidden.
    assert re.search(r'<div class="progress" id="progress" data-total="51" hidden>', page)
    assert re.search(r'<p class="notice notice-info" id="restored" tabindex="-1" hidden>', page)


def summary_links(page: str) -> list[tuple[str, str]]:
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</div>", start)]
    return re.findall(r'<a href="#q-([^"]+)">(Question \d+):', summary)


def test_an_empty_submit_lists_the_first_ten_questions_from_question_one(client):
    page = client.get("/quiz").get_data(as_text=True)
    response = client.post("/quiz", data={"csrf_token": csrf_token(page)})
    shown = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No answers were received" in shown and "have been kept" not in shown
    order = [*(i for s in TPM.sections for i in s.items), *(s.id for s in TPM.scenarios)]
    assert summary_links(shown) == [(name, f"Question {n}") for n, name in enumerate(order[:10], 1)]
    assert "…and 41 more, each marked below." in shown
    assert shown.count('class="field-error"') == 51


def test_missing_answers_are_listed_by_the_numbers_on_the_page(client):
    page = client.get("/quiz").get_data(as_text=True)
    numbers = dict(re.findall(r'id="q-([^"]+)"><legend><span class="qnum">(\d+)\.', page))
    assert list(numbers.values()) == [str(n) for n in range(1, 52)]
    values = {name: "ns" for name in numbers}
    for scenario in TPM.scenarios:
        values[scenario.id] = scenario.options[0].id
    # Leave out one statement from late in the page, one early, and one scenario.
    skipped = [TPM.sections[-1].items[0], TPM.sections[0].items[1], TPM.scenarios[2].id]
    for name in skipped:
        del values[name]
    response = client.post("/quiz", data={"csrf_token": csrf_token(page), **values})
    shown = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "3 questions need an answer" in shown and "Your other answers have been kept" in shown
    expected = sorted(skipped, key=lambda name: int(numbers[name]))
    assert summary_links(shown) == [(name, f"Question {numbers[name]}") for name in expected]
    assert summary_links(shown)[0] == (TPM.sections[0].items[1], "Question 2")
