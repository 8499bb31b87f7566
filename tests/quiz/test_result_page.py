"""The result page of the shipped rubric: what each kind of sitting is told, and old results kept whole."""

import html
import re

import pytest
from sqlalchemy import select

from quizapp.assessment.rubric import load_file
from quizapp.assessment.scoring import score
from quizapp.storage import db
from quizapp.storage.models import Result
from quizapp.storage.results import store_result
from tests.conftest import REAL_RUBRICS

TPM = load_file(REAL_RUBRICS / "technical-project-manager.yaml")
OLD = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-1.0.0.yaml")


def keyed(levels, checks=True):
    """Form values whose keyed statement score is levels[dimension] (0, 25, 50, 75 or 100)."""
    values = {c.id: str(c.accept[0]) for c in TPM.checks} if checks else {}
    for dim in TPM.dimensions:
        steps = levels.get(dim.id, 50) // 25
        for item in dim.items:
            values[item.id] = str(1 + steps if item.keyed == "plus" else 5 - steps)
    return values


def best(scenario):
    return max(scenario.options, key=lambda o: sum(o.points.values())).id


def take(client, values):
    response = client.post("/quiz", data=values)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.location
    return location, html.unescape(client.get(location).get_data(as_text=True))


def text_of(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def client(tpm_app):
    return tpm_app.test_client()


def test_a_strong_profile_gets_entry_steps_ranked_roles_and_sources(client):
    values = keyed(dict.fromkeys((d.id for d in TPM.dimensions), 100))
    values |= {s.id: best(s) for s in TPM.scenarios}
    location, page = take(client, values)
    words = text_of(page)
    assert "<h1>Strong fit</h1>" in page
    assert "Getting into the role" in words
    assert all(t in words for t in TPM.entry_steps.job_titles)
    assert all(c.name in words for c in TPM.entry_steps.certifications)
    # Every matched sign says where it comes from.
    assert words.count("Based on ") >= len(TPM.fit_criteria)
    assert all(f"Based on {c.based_on}." in words for c in TPM.fit_criteria)
    # The related roles whose profile has this one's shape (up to three), each with the reason.
    suggested = words.count("Why it is suggested:")
    assert 1 <= suggested <= 3
    # No gaps: the two lowest areas are still offered as next steps.
    assert (
        "No area fell below 55. Your lowest areas are where the next step will count most" in words
    )
    data = client.get(location + ".json").get_json()
    assert data["rubric"] == {"id": TPM.id, "version": "2.2.0"}
    assert data["band"] == "strong" and isinstance(data["overall"], int)
    assert all(isinstance(v, int) for v in data["dimensions"].values())
    assert len(data["related_roles"]) == suggested and len(data["grow_next"]) == 2


def test_a_non_technical_profile_is_told_why_the_band_is_capped(client):
    levels = dict.fromkeys((d.id for d in TPM.dimensions), 100) | {"architecture": 25}
    values = keyed(levels) | {s.id: best(s) for s in TPM.scenarios}
    _, page = take(client, values)
    words = text_of(page)
    assert "<h1>Possible fit</h1>" in page
    assert "Why not a higher band?" in words
    assert "your system architecture basics score is below 50" in words
    assert "Getting into the role" not in words


def test_random_looking_answers_get_a_profile_but_no_band(client, tpm_app):
    values = {i.id: "5" for i in TPM.items} | {c.id: "5" for c in TPM.checks}
    values |= {s.id: best(s) for s in TPM.scenarios}
    _, page = take(client, values)
    words = text_of(page)
    assert "Your answers don\u2019t give a clear picture" in words
    assert "same answer to nearly every statement" in words and "missed the statements" in words
    assert "Take the quiz again when you have 10 quiet minutes" in words
    assert "Strong fit</h1>" not in page and "Possible fit</h1>" not in page
    assert "Your profile" in words  # the profile is still shown
    assert 'id="fit-title"' not in page  # no criteria read into noise
    with tpm_app.app_context():
        stored = db.session().scalars(select(Result)).one()
        assert stored.band is None and stored.overall is None
        assert stored.notes == ["same-answer", "attention"]
        # Judged with the person's lean (+2 on every statement) taken out: every answer is then
        # "Neither", no pair contradicts itself, and one answer throughout is the reason.
        assert stored.profile["quality"] == {
            "inconsistency": 0,
            "both_sides": 0,
            "failed_checks": 2,
        }


def test_a_score_near_a_boundary_says_so(client):
    # Statements keyed 75 everywhere, scenario options chosen to land the overall near 70.
    values = keyed(dict.fromkeys((d.id for d in TPM.dimensions), 75))
    values |= {s.id: s.options[0].id for s in TPM.scenarios}
    result = score(TPM, {k: (v if not v.isdigit() else int(v)) for k, v in values.items()})
    # within two SEMs (2 x 12 x sqrt(1 - .91) = 7.2) of a boundary
    assert result.near is not None
    low, high = result.near
    _, page = take(client, values)
    words = text_of(page)
    labels = {b.id: b.label for b in TPM.bands}
    assert f"Near the line between {labels[low]} and {labels[high]}." in words
    assert "within about ±7 points (2 times the quiz's margin of error)" in words
    assert "about 25 in 100 people this close to a line get the other band" in words


def test_a_strong_self_description_the_situations_do_not_back_stays_possible(client, tpm_app):
    # Every statement at its favourable end (said = 100), and in every situation the option
    # with the fewest points. Done: the points of those options over the most each area could
    # get, worked out here from the rubric, area by area, then averaged (equal weights).
    values = keyed(dict.fromkeys((d.id for d in TPM.dimensions), 100))
    worst = {s.id: min(s.options, key=lambda o: sum(o.points.values())) for s in TPM.scenarios}
    values |= {sid: o.id for sid, o in worst.items()}
    earned, most = {}, {}
    for s in TPM.scenarios:
        for area, top in s.most_points.items():
            earned[area] = earned.get(area, 0) + worst[s.id].points.get(area, 0)
            most[area] = most.get(area, 0) + top
    done = sum(100 * earned[a] / most[a] for a in most) / len(most)
    assert done < 85  # short of "enough", and far short of 100 + 2
    # Overall: 0.75 x 100 + 0.25 x done, which is 70 or more: Strong fit by the score alone.
    assert 0.75 * 100 + 0.25 * done >= 70
    _, page = take(client, values)
    words = text_of(page)
    assert "Possible fit</h1>" in page and "Strong fit</h1>" not in page
    assert "Why not Strong fit?" in words
    assert (
        f"(they average 100 of 100), but your choices in the everyday situations ({round(done)} of 100)"
        in words
    )
    with tpm_app.app_context():
        stored = db.session().scalars(select(Result)).one()
        assert stored.band == "possible"
        assert stored.profile["unbacked"] == {"said": 100.0, "done": round(done, 1)}


def test_a_result_scored_on_the_old_version_renders_as_it_was(tpm_app):
    # A 1.0.0 result as the app stored it before 2.0.0: gaps only, roles from not-fit criteria.
    answers = {i.id: 1 if i.keyed == "plus" else 5 for i in OLD.items}
    answers |= {
        s.id: min(s.options, key=lambda o: sum(o.points.values())).id for s in OLD.scenarios
    }
    scored = score(OLD, answers)
    with tpm_app.app_context():
        session = db.session()
        result = session.get(Result, store_result(db.engine(), OLD, answers, scored).id)
        result.profile = {k: result.profile[k] for k in ("fit", "not_fit", "strengths", "gaps")}
        session.commit()
        token = result.token
    client = tpm_app.test_client()
    page = html.unescape(client.get(f"/r/{token}").get_data(as_text=True))
    words = text_of(page)
    assert "<h1>Not an obvious fit</h1>" in page
    assert OLD.bands[0].message.split(".")[0] in words  # the 1.0.0 wording, not 2.0.0's
    assert "(consider: Systems Analyst)" in words  # 1.0.0 suggested roles through criteria
    assert "Why it is suggested:" not in words and "Getting into the role" not in words
    assert client.get(f"/r/{token}.json").get_json()["rubric"]["version"] == "1.0.0"


def test_the_questionnaire_asks_every_question_of_the_new_version(client):
    page = client.get("/quiz").get_data(as_text=True)
    assert page.count("<fieldset") == 42 + 2 + 7
    assert "51 questions in 7 parts" in page


def test_the_private_link_comes_first_and_every_bar_says_its_numbers(client):
    levels = dict.fromkeys((d.id for d in TPM.dimensions), 75) | {"architecture": 25}
    location, page = take(client, keyed(levels) | {s.id: best(s) for s in TPM.scenarios})
    words = text_of(page)
    # The link to keep is right under the verdict, before the band scale and the profile.
    assert words.index("Save your private link") < words.index("How the bands are set")
    assert words.index("How the bands are set") < words.index("Your profile")
    assert f'value="http://localhost{location}"' in page
    assert "Possible fit : overall 50 to 69" in words and "Strong fit : overall 70 to 100" in words
    assert "Not an obvious fit : overall 0 to 49" in words and "(below" not in words
    lines = re.findall(r"(\d+) of 100 ([A-Z][a-z ]+) · strength from 70 · gap below 55", words)
    assert len(lines) == len(TPM.dimensions)
    for shown, level in lines:
        value = int(shown)
        expected = "At or above the strength line" if value >= 70 else "Between the lines"
        assert level == (expected if value >= 55 else "Below the gap line")


def test_the_fit_lists_say_they_are_the_authors_criteria_not_the_guide_s(tpm_app):
    """The guide's own fit and not-fit lists were lost: the page must not pass ours off as its."""
    from quizapp.assessment.simulation import Simulator

    rubric = tpm_app.extensions["quizapp.rubrics"]["technical-project-manager"]
    sim = Simulator(rubric, seed=12)
    client = tpm_app.test_client()
    answers = {k: "ns" if v is None else str(v) for k, v in sim.answers(sim.traits()).items()}
    page = client.get(client.post("/quiz", data=answers).location).get_data(as_text=True)
    note = page.index("the career guide this quiz is built on had lists of who the role suits")
    assert "These are the quiz authors' own criteria" in page
    # The headings say so too: nothing on the page reads as the guide's own list.
    fit = page.index(
        'A strong fit if you… <span class="heading-note">(our criteria, not the guide’s)</span>'
    )
    not_fit = page.index('May not be ideal if you… <span class="heading-note">(our criteria')
    assert note < fit < not_fit
    assert "This role is a strong fit if you" not in page
    assert "This role may not be ideal if you" not in page


# Where this comes from: every source of what the page says, folded away but always there.

ARCHIVED = ("1.0.0", "2.0.0", "2.1.0")
LOST_LISTS = (
    "The guide’s own lists of who the role suits, and who it may not suit, were lost from the "
    "copy of the guide we work from. The fit and not-fit criteria on this page are therefore ours, "
    "the quiz authors’, and each is listed below with its source."
)


def sources_part(page):
    """The words of the "Where this comes from" section."""
    start = page.index('<section class="panel sources"')
    return text_of(page[start : page.index("</section>", start)]).strip()


def flat(text):
    return re.sub(r"\s+", " ", text).strip()


def cited(source):
    """A source as the page cites it: whole, ending in a full stop."""
    source = flat(source)
    return source if source[-1] in ".!?" else source + "."


def strong_page(client):
    values = keyed(dict.fromkeys((d.id for d in TPM.dimensions), 100))
    return take(client, values | {s.id: best(s) for s in TPM.scenarios})[1]


def test_where_this_comes_from_gives_every_criterion_role_and_next_step_its_source(client):
    page = strong_page(client)
    words = sources_part(page)
    assert words.startswith("Where this comes from ")
    assert LOST_LISTS in words
    # Folded, so the page stays calm; <details> opens without any script.
    assert page.count('<details class="source-group">') >= 3
    for c in (*TPM.fit_criteria, *TPM.not_fit_criteria):
        assert f"{flat(c.text)} Source: {cited(c.source)}" in words, c.id
    for role in TPM.related_roles:
        line = f"{role.title} . Source: {cited(role.source)} Profile: {cited(role.profile_source)}"
        assert line in words, role.id
    for dim in TPM.dimensions:
        for step in dim.next_steps:
            assert f"{flat(step.text)} Source: {cited(step.source)}" in words
    # The statements and the scenario keys, from whatever the rubric says (the next test checks
    # the grouping with sources of its own).
    from quizapp.reporting.report import scenario_keys, statement_sources

    for area in statement_sources(TPM):
        for source, count in area.sources:
            assert f"{flat(source)} ({count} statement{'' if count == 1 else 's'})" in words
    for number, scenario in scenario_keys(TPM):
        assert f"Question {number} " in words
        assert f"the best answer rests on {flat(scenario.key_source or 'no source given')}" in words


def test_statement_sources_are_grouped_by_area_with_how_many_rest_on_each(tmp_path, migrated_db):
    from tests.conftest import make_app, rubrics_with_sources

    app = make_app(
        tmp_path,
        migrated_db,
        RUBRICS_DIR=str(rubrics_with_sources(tmp_path / "rubrics")),
        DEFAULT_RUBRIC="technical-project-manager",
    )
    words = sources_part(strong_page(app.test_client()))
    assert "The statements, area by area Each source an area’s statements rest on" in words
    for dim in TPM.dimensions:
        assert f"{dim.name} Shared source of {dim.name} (4 statements)" in words
        assert f"Own source {dim.items[4].id} (1 statement)" in words
        assert f"Own source {dim.items[5].id} (1 statement)" in words
    numbers = TPM.question_numbers
    for scenario in TPM.scenarios:
        assert f"Question {numbers[scenario.id]} " in words
        assert f"the best answer rests on Key source of {scenario.id}." in words
    assert "No source given" not in words and "no source given" not in words


def test_each_related_role_links_to_its_o_net_page(client):
    page = strong_page(client)
    links = re.findall(r'<a href="(https://www\.onetonline\.org/[^"]*)"([^>]*)>(.*?)</a>', page)
    assert links, "no O*NET OnLine link on the page"
    for href, attributes, _ in links:
        assert attributes == ""  # an ordinary link: same tab, no script
    shown = {(href, text_of(html.unescape(text)).strip()) for href, _, text in links}
    for role in TPM.related_roles:
        assert role.onet is not None, role.id
        assert role.onet_url == f"https://www.onetonline.org/link/summary/{role.onet}"
        # Listed under "Where this comes from", title and code in the link's words.
        label = f"O*NET OnLine: {role.onet_title} ({role.onet})"
        assert (role.onet_url, label) in shown, role.id
    # The suggested roles' cards link to it too.
    cards = re.findall(r'<li class="card">(.*?)</li>', page, re.S)
    assert cards and all("Nearest O*NET occupation: " in card for card in cards)


@pytest.mark.parametrize("version", ARCHIVED)
def test_an_archived_version_s_result_still_renders_with_no_empty_parts(tpm_app, version):
    old = load_file(REAL_RUBRICS / "archive" / f"technical-project-manager-{version}.yaml")
    answers = {i.id: 4 if i.keyed == "plus" else 2 for i in old.items}
    answers |= {c.id: c.accept[0] for c in old.checks}
    answers |= {s.id: best(s) for s in old.scenarios}
    with tpm_app.app_context():
        token = (
            db.session()
            .get(Result, store_result(db.engine(), old, answers, score(old, answers)).id)
            .token
        )
    response = tpm_app.test_client().get(f"/r/{token}")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    words = sources_part(page)
    assert LOST_LISTS in words
    assert all(f"{flat(c.text)} Source: {cited(c.source)}" in words for c in old.fit_criteria)
    assert all(f"{r.title} . Source: {cited(r.source)}" in words for r in old.related_roles)
    # Nothing that version has no source for: no list, no heading, no link.
    assert "The statements, area by area" not in words
    assert "everyday situations and their best answers" not in words
    assert "The next steps" not in words and "Profile:" not in words
    assert "onetonline.org" not in page
    # No empty heading, list, list item or fold anywhere on the page.
    assert not re.search(r"<(h[1-6]|summary|li)[^>]*>\s*</\1>", page)
    assert not re.search(r"<(ul|ol)[^>]*>\s*</\1>", page)
    # The career path lists its steps (they are plain strings in every version).
    path = re.search(r'<ol class="path">(.*?)</ol>', page, re.S).group(1)
    assert text_of(path).split(" Senior ")[0].strip() == "Technical Project Manager"
