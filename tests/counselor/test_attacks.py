"""A curious counselor attacks their own group figures through HTTP, as docs/privacy.md describes.

Clients take the shipped quiz through the counselor's link (answers made up by the respondent
simulation); the counselor downloads the group CSV after every response, and tries to recover
one person's scores by differencing consecutive releases, or with k - 1 sittings of their own.
Each attack must miss the person's real scores by at least 10 points on average, and no band or
gap may be pinned on anyone.
"""

import csv
import io
import random

import pytest

from quizapp.assessment.rubric import load_file
from quizapp.assessment.simulation import Simulator
from tests.conftest import REAL_RUBRICS, add_user, login
from tests.conftest import add_link as add_any_link

K = 5
TPM = load_file(REAL_RUBRICS / "technical-project-manager.yaml")
DIMS = [d.id for d in TPM.dimensions]
NAMES = {d.id: d.name for d in TPM.dimensions}


@pytest.fixture
def setting(tpm_app):
    add_user(tpm_app, "anna")
    counselor = tpm_app.test_client()
    assert login(counselor, "anna").status_code == 302
    return tpm_app, counselor


def add_link(app, label):
    return add_any_link(app, label=label, rubric_id=TPM.id)


def form_of(answers):
    return {k: "ns" if v is None else str(v) for k, v in answers.items()}


def take(app, code, answers):
    """A client takes the quiz through the link; returns their real whole-number scores."""
    client = app.test_client()
    response = client.post(f"/q/{code}", data=form_of(answers))
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    data = client.get(response.location + ".json").get_json()
    return data["dimensions"], data["band"], set(data["gaps"])


def release(counselor, link_id):
    text = counselor.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True)
    rows = {(r[0], r[1], r[2]): r[3] for r in list(csv.reader(io.StringIO(text)))[1:]}
    size = int(rows[("group", "responses the figures cover", "count")])
    means = {}
    for dim in DIMS:
        value = rows.get(("dimension", NAMES[dim], "group mean"))
        if value is not None and value.isdigit():
            means[dim] = int(value)
    return size, means, rows


def test_differencing_consecutive_releases_misses_each_newcomer(setting):
    app, counselor = setting
    sim = Simulator(TPM, seed=21)
    errors = []
    for group in range(3):
        link_id, code = add_link(app, f"Group {group}")
        previous = (0, {})
        for _ in range(16):
            truth, _, _ = take(app, code, sim.answers(sim.traits()))
            size, means, _ = release(counselor, link_id)
            old_size, old_means = previous
            if size == old_size:
                # Nothing moved: the newest person's answers left no trace at all. The best
                # the counselor can do is guess the group mean.
                guesses = means
            else:  # 6 x mean(6) - 5 x mean(5), spread over however many arrived
                guesses = {
                    d: (size * means[d] - old_size * old_means.get(d, 0)) / (size - old_size)
                    for d in means
                }
            errors += [abs(guesses[d] - truth[d]) for d in guesses if truth[d] is not None]
            previous = (size, means)
    assert len(errors) > 100
    assert sum(errors) / len(errors) >= 10, sum(errors) / len(errors)


def test_sock_puppets_cannot_recover_the_one_real_client(setting):
    app, counselor = setting
    sim = Simulator(TPM, seed=22)
    errors, shown_bands, shown_gaps = [], 0, 0
    for trial in range(12):
        link_id, code = add_link(app, f"Puppets {trial}")
        known = [take(app, code, sim.answers(sim.traits()))[0] for _ in range(K - 1)]
        truth, _, _ = take(app, code, sim.answers(sim.traits()))
        size, means, rows = release(counselor, link_id)
        assert size == K
        for d, mean in means.items():
            estimate = K * mean - sum(p[d] for p in known)
            errors.append(abs(estimate - truth[d]))
        shown_bands += sum(1 for key in rows if key[0] == "band" and rows[key].isdigit())
        shown_gaps += sum(
            1 for key in rows if key[2] == "people with this as a gap" and rows[key].isdigit()
        )
    assert sum(errors) / len(errors) >= 10, sum(errors) / len(errors)
    # With one real person among k, no band count and no gap count is ever given as a number.
    assert shown_bands == 0 and shown_gaps == 0


def test_everyone_in_one_band_is_never_shown_as_such(setting):
    app, counselor = setting
    sim = Simulator(TPM, seed=23)
    link_id, code = add_link(app, "Strong group")
    bands = set()
    for _ in range(10):
        _, band, _ = take(app, code, sim.answers(sim.traits([2.2] * len(DIMS))))
        bands.add(band)
    assert bands == {"strong"}
    size, _, rows = release(counselor, link_id)
    assert size == 10
    band_rows = {key: value for key, value in rows.items() if key[0] == "band"}
    assert band_rows == {("band", "all bands", "people"): "withheld: they would single people out"}
    for key, value in rows.items():  # and no gap count says "all ten"
        if key[2] == "people with this as a gap":
            assert not value.isdigit() or int(value) <= size - K


def test_the_percentile_line_does_not_move_for_one_newcomer(setting, monkeypatch):
    app, _ = setting
    monkeypatch.setitem(app.config, "COMPARE_MIN_RESULTS", 20)
    sim = Simulator(TPM, seed=24)
    client = app.test_client()
    tokens = []
    for _ in range(30):
        response = client.post("/quiz", data=form_of(sim.answers(sim.traits())))
        tokens.append(response.location)
    mine = tokens[10]
    before = client.get(mine).get_data(as_text=True)
    assert "How you compare" in before
    rng = random.Random(5)
    for _ in range(3):  # newcomers well above and well below, one at a time
        level = rng.choice([-2.5, 2.5])
        client.post("/quiz", data=form_of(sim.answers(sim.traits([level] * len(DIMS)))))
        assert client.get(mine).get_data(as_text=True) == before
