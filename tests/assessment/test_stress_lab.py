"""The stress lab's respondents do what their models say (fixed seeds, a few seconds), and
`rubric simulate --stress` prints their figures. What the figures must reach is the rubric's
business (docs/validity.md); these tests pin the models themselves."""

import statistics

import pytest

from quizapp.assessment.rubric import load_file
from quizapp.assessment.simulation import THRESHOLDS, pearson
from quizapp.assessment.stress import MODELS, Lab, stress_figures
from tests.conftest import REAL_RUBRICS

MODEL = {m.name: m for m in MODELS}


@pytest.fixture(scope="module")
def tpm():
    return load_file(REAL_RUBRICS / "technical-project-manager.yaml")


def statements(rubric, answers):
    return [answers[i.id] for i in rubric.items if isinstance(answers[i.id], int)]


def test_uneven_thresholds_are_each_statements_own(tpm):
    base, uneven = Lab(tpm, MODEL["base"], seed=2), Lab(tpm, MODEL["uneven"], seed=2)
    assert all(cuts == sorted(THRESHOLDS) for cuts in base.cuts.values())
    moved = [cuts for cuts in uneven.cuts.values() if cuts != sorted(THRESHOLDS)]
    assert len(moved) == len(uneven.cuts) and all(c == sorted(c) for c in moved)
    gaps = {round(c[1] - c[0], 2) for c in moved}
    assert len(gaps) > len(moved) // 2  # spacing differs from statement to statement


def test_a_tendency_to_agree_is_a_person_s_own_and_raises_every_answer(tpm):
    lab = Lab(tpm, MODEL["agreeing"], seed=3)
    people = [lab.person() for _ in range(300)]
    assert statistics.stdev(p.agree for p in people) == pytest.approx(0.4, abs=0.05)
    means = [statistics.fmean(statements(tpm, lab.honest(p))) for p in people]
    # agreeing more with plus- and minus-keyed statements alike moves the raw answers up
    assert pearson([p.agree for p in people], means) > 0.4


def test_a_wording_factor_moves_only_the_reverse_keyed_statements(tpm):
    lab = Lab(tpm, MODEL["wording"], seed=4)
    people = [lab.person() for _ in range(300)]
    minus = {i.id for i in tpm.items if i.keyed == "minus"}
    answers = [lab.honest(p) for p in people]

    def raw(ids):
        return [statistics.fmean(a[i] for i in ids if isinstance(a[i], int)) for a in answers]

    wording = [p.wording for p in people]
    assert pearson(wording, raw(minus)) > 0.3
    assert abs(pearson(wording, raw({i.id for i in tpm.items} - minus))) < 0.15


def test_fakers_and_strategic_not_sure_by_hand(tpm):
    lab = Lab(tpm, MODEL["base"], seed=5)
    honest = lab.honest(lab.person())
    mild = lab.restyle(honest, "mild-faker")
    for item in tpm.items:
        before, after = honest[item.id], mild[item.id]
        if before is None:
            assert after is None
        elif item.keyed == "plus":
            assert after == min(5, before + 1)
        else:
            assert after == max(1, before - 1)
    informed = lab.restyle(honest, "informed-faker")
    for scenario in tpm.scenarios:
        best = max(scenario.options, key=lambda o: sum(o.points.values()))
        assert informed[scenario.id] == best.id
    assert all(informed[c.id] in c.accept for c in tpm.checks)
    strategic = lab.restyle(honest, "strategic-not-sure")
    for dim in tpm.dimensions:
        dropped = [i for i in dim.items if honest[i.id] is not None and strategic[i.id] is None]
        assert len(dropped) == 2
        kept = [i.keyed_score(honest[i.id]) for i in dim.items if strategic[i.id] is not None]
        assert max(i.keyed_score(honest[i.id]) for i in dropped) <= min(kept)


def test_half_careless_sittings_change_about_half_the_answers(tpm):
    lab = Lab(tpm, MODEL["base"], seed=6)
    changed = total = 0
    for _ in range(100):
        person = lab.person()
        honest = lab.honest(person)
        careless = lab.careless(honest, {q: "random" for q in honest})
        changed += sum(careless[q] == "random" for q in honest)
        total += len(honest)
    assert 0.45 <= changed / total <= 0.55


def test_the_figures_are_reproducible_and_measured(tpm):
    first = stress_figures(tpm, MODEL["agreeing"], people=150, seed=8)
    assert first == stress_figures(tpm, MODEL["agreeing"], people=150, seed=8)
    assert first.people == 150 and 0 < first.alpha_min < 1
    assert first.no_verdict["random"] > first.no_verdict["half-careless"] > first.flagged_once
    assert first.strong["informed-faker"] >= first.strong["mild-faker"] >= first.strong["honest"]


def test_simulate_stress_prints_a_column_per_model(tpm_app):
    result = tpm_app.test_cli_runner().invoke(
        args=["rubric", "simulate", "--stress", "--people", "60", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.strip().startswith("figure"))
    assert header.split()[1:] == [m.name for m in MODELS]
    assert "Strong fit, mild fakers" in result.output
    assert 'strategic "Not sure" gain' in result.output
