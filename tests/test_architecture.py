"""The layer rules of quizapp/ (pyproject.toml, [tool.importlinter]) hold, and they are not a
formality: the same contracts, run on a copy of the package with one upward import, fail."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), str(folder / "pyproject.toml"), "--no-cache"],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "quizapp", tmp_path / "quizapp", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # storage reaching up into reporting
        ("storage/results.py", "from ..reporting import stats", "Layers"),
        # one blueprint importing another
        ("counselor/forms.py", "from ..admin import forms", "blueprints do not import"),
        # the assessment core growing a Flask dependency
        ("assessment/scoring.py", "import flask", "plain Python"),
        # ... or the app's wiring, even a module that imports nothing upward itself
        ("assessment/scoring.py", "from .. import logs", "plain Python"),
        # storage deciding by who is signed in
        ("storage/results.py", "from ..identity import staff_required", "who is signed in"),
    ],
)
def test_an_import_against_the_rules_fails_them(tmp_path, module, line, broken):
    folder = copy_of_the_package(tmp_path)
    path = folder / "quizapp" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(folder)
    assert result.returncode != 0, result.stdout
    verdicts = [line for line in result.stdout.splitlines() if line.endswith(("KEPT", "BROKEN"))]
    assert any(broken in v and v.endswith("BROKEN") for v in verdicts), verdicts
