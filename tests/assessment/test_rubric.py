"""Rubric loading and validation: each broken file names the exact place and what is wrong."""

import copy

import pytest
import yaml

from quizapp.assessment.rubric import RubricError, format_location, load_file, load_folder
from tests.conftest import MINI_RUBRICS

MINI = yaml.safe_load((MINI_RUBRICS / "mini.yaml").read_text())


def write(tmp_path, data, name="broken.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def broken(change):
    data = copy.deepcopy(MINI)
    change(data)
    return data


def set_band_max(data, index, value):
    data["bands"][index]["max"] = value


CASES = {
    "missing title": (
        lambda d: d.pop("title"),
        "title",
        "is required",
    ),
    "wrong keyed value": (
        lambda d: d["dimensions"][1]["items"][2].update(keyed="sideways"),
        "dimensions[1].items[2].keyed",
        "must be one of 'plus' or 'minus', not 'sideways'",
    ),
    "unknown field": (
        lambda d: d["dimensions"][0].update(colour="blue"),
        "dimensions[0].colour",
        "is not a known field",
    ),
    "bad id": (
        lambda d: d["dimensions"][0].update(id="Alpha Dimension"),
        "dimensions[0].id",
        "must be lowercase letters, digits and hyphens (for example 'stakeholder-alignment')",
    ),
    "too few items": (
        lambda d: d["dimensions"][0].update(items=d["dimensions"][0]["items"][:2]),
        "dimensions[0].items",
        "needs at least 3 entries, not 2",
    ),
    "no reverse-keyed item": (
        lambda d: [i.update(keyed="plus", twin=None) for i in d["dimensions"][1]["items"]],
        "dimensions[1].items",
        "needs at least one reverse-keyed item (keyed: minus)",
    ),
    "duplicate item id": (
        lambda d: d["dimensions"][1]["items"][0].update(id="a1"),
        "dimensions",
        "question id 'a1' is used more than once",
    ),
    "twin in another dimension": (
        lambda d: d["dimensions"][0]["items"][3].update(twin="b1"),
        "dimensions[0].items[3].twin",
        "names 'b1', which is not an item of this dimension",
    ),
    "section names unknown item": (
        lambda d: d["sections"][0]["items"].__setitem__(1, "zz"),
        "sections[0].items[1]",
        "unknown item 'zz'",
    ),
    "item in no section": (
        lambda d: d["sections"][1]["items"].remove("b4"),
        "sections",
        "item 'b4' is not placed in any section",
    ),
    "scenario points at unknown dimension": (
        lambda d: d["scenarios"][0]["options"][1]["points"].update(gamma=2),
        "scenarios[0].options[1].points.gamma",
        "unknown dimension 'gamma'",
    ),
    "points out of range": (
        lambda d: d["scenarios"][0]["options"][0]["points"].update(alpha=7),
        "scenarios[0].options[0].points.alpha",
        "input should be less than or equal to 4",
    ),
    "bands leave a gap": (
        lambda d: set_band_max(d, 0, 45),
        "bands",
        "scores from 45 to 50 fall in no band",
    ),
    "bands overlap": (
        lambda d: set_band_max(d, 1, 75),
        "bands",
        "bands 'mid' and 'high' overlap (70 to 75)",
    ),
    "bands stop short of 100": (
        lambda d: set_band_max(d, 2, 95),
        "bands",
        "scores from 95 to 100 fall in no band",
    ),
    "evidence names nothing": (
        lambda d: d["fit_criteria"][0]["evidence"].__setitem__(0, "nope"),
        "fit_criteria[0].evidence[0]",
        "unknown dimension or item 'nope'",
    ),
    "unknown related role": (
        lambda d: d["not_fit_criteria"][0].update(related_role="astronaut"),
        "not_fit_criteria[0].related_role",
        "unknown related role 'astronaut'",
    ),
    "O*NET title without its code": (
        lambda d: d["related_roles"][0].update(onet_title="Software Developers"),
        "related_roles[0].onet_title",
        "needs the occupation's onet code",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_broken_rubric_names_place_and_problem(tmp_path, case):
    change, location, message = CASES[case]
    path = write(tmp_path, broken(change))
    with pytest.raises(RubricError) as caught:
        load_file(path)
    found = [(p.location, p.message) for p in caught.value.problems]
    assert (location, message) in found
    assert f"{path}: {location}: {message}" in str(caught.value)


def test_invalid_yaml_names_line_and_column(tmp_path):
    path = write(tmp_path, "id: mini\ntitle: [unclosed\n")
    with pytest.raises(RubricError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert problem.location == "line 3, column 1"
    assert problem.message.startswith("not valid YAML")


def test_unsafe_yaml_tags_are_refused(tmp_path):
    path = write(tmp_path, "id: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(RubricError, match="not valid YAML"):
        load_file(path)


def test_a_list_instead_of_a_mapping(tmp_path):
    with pytest.raises(RubricError, match="the file must hold a mapping of rubric fields"):
        load_file(write(tmp_path, "- a\n- b\n"))


def test_several_problems_are_all_reported(tmp_path):
    data = broken(lambda d: (d.pop("title"), d["dimensions"][0].update(weight=-1)))
    with pytest.raises(RubricError) as caught:
        load_file(write(tmp_path, data))
    locations = [p.location for p in caught.value.problems]
    assert locations == ["dimensions[0].weight", "title"]


def test_the_rubric_is_immutable():
    rubric = load_file(MINI_RUBRICS / "mini.yaml")
    with pytest.raises(Exception, match="frozen"):
        rubric.title = "Changed"
    assert isinstance(rubric.dimensions, tuple)


def test_content_hash_changes_with_the_file(tmp_path):
    first = load_file(write(tmp_path, MINI, "a.yaml"))
    second = load_file(write(tmp_path, broken(lambda d: d.update(title="Other")), "b.yaml"))
    assert len(first.content_hash) == 64
    assert first.content_hash != second.content_hash


def test_folder_with_two_rubrics_of_the_same_id(tmp_path):
    write(tmp_path, MINI, "one.yaml")
    write(tmp_path, MINI, "two.yaml")
    with pytest.raises(RubricError, match="'mini' is also the id of another rubric"):
        load_folder(tmp_path)


def test_empty_folder(tmp_path):
    with pytest.raises(RubricError, match=r"holds no rubric files \(\*.yaml\)"):
        load_folder(tmp_path)


def test_location_format():
    assert format_location(("dimensions", 2, "items", 0, "keyed")) == "dimensions[2].items[0].keyed"
