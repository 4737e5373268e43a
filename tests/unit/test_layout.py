"""The package layout's rules: production code never imports the development kit, saved models
keep loading after a move, every lookup by name fails the same way, overrides never mutate."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bass
from bass.core.config import load_config
from bass.core.errors import UnknownName
from bass.core.plugins import Plugins

PACKAGE = Path(bass.__file__).parent
FIXTURE = Path(__file__).parents[1] / "fixtures" / "churn_pipeline_saved_before_layout"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_nothing_outside_the_command_line_and_the_devkit_imports_the_devkit():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = path.relative_to(PACKAGE).parts[0]
        if room in ("cli", "devkit"):
            continue
        bad = sorted(m for m in imported_modules(path) if m == "bass.devkit" or m.startswith("bass.devkit."))
        if bad:
            offenders.append(f"{path.relative_to(PACKAGE)}: {', '.join(bad)}")
    assert not offenders, "production code imports the devkit:\n" + "\n".join(offenders)


def test_the_fence_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bass.devkit.simulator import generate\n")
    assert "bass.devkit.simulator" in imported_modules(module)


def test_every_module_lives_in_a_room():
    rooms = {"cli", "core", "warehouse", "orchestration", "boss", "marts", "ml", "reports", "serving", "ops", "devkit"}
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside a subpackage: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == rooms


def test_a_pipeline_saved_before_the_move_still_loads_and_scores_the_same(spark):
    from pyspark.ml import PipelineModel
    model = PipelineModel.load(str(FIXTURE))
    assert [type(s).__module__ + "." + type(s).__name__ for s in model.stages if type(s).__module__.startswith("bass")] == [
        "bass.ml.stages.FeaturePrep", "bass.ml.stages.LogScale", "bass.ml.stages.Calibrate", "bass.ml.stages.Average"]
    rows = spark.createDataFrame([(i, float(i % 7), float((i * 3) % 11), i % 2) for i in range(3)],
                                 "user_id int, calls double, fee double, label int")
    scored = [r.p for r in model.transform(rows).orderBy("user_id").collect()]
    assert scored == pytest.approx([0.47518977856987843, 0.5014651531525403, 0.5104332045639469], abs=1e-9)


def test_plugins_register_once_and_name_what_they_know():
    kinds = Plugins("widget", instances=True)

    @kinds.register
    class Round:
        name = "round"

    assert isinstance(kinds["round"], Round) and "round" in kinds and kinds.names() == ["round"]
    with pytest.raises(ValueError, match="registered twice"):
        kinds.register(Round)
    with pytest.raises(UnknownName, match=r"conf x\.y: unknown widget 'square'; known: round") as err:
        kinds.get("square", where="conf x.y")
    assert isinstance(err.value, KeyError) and isinstance(err.value, ValueError)


def test_a_registry_with_a_package_finds_every_module_in_it():
    from bass.orchestration.steps import STEP_KINDS
    modules = {p.stem for p in (PACKAGE / "orchestration" / "steps").glob("*.py")} - {"__init__", "base"}
    assert {cls.__module__.rsplit(".", 1)[1] for cls in STEP_KINDS.values()} == modules


@pytest.mark.parametrize("lookup", [
    lambda: __import__("bass.orchestration.steps", fromlist=["step"]).step("mid.nowhere"),
    lambda: __import__("bass.core.registry", fromlist=["table"]).table("mid.nowhere"),
    lambda: __import__("bass.core.interfaces", fromlist=["interface"]).interface("nowhere"),
    lambda: __import__("bass.orchestration.graph", fromlist=["load_pipeline"]).load_pipeline("hourly"),
    lambda: __import__("bass.core.grain", fromlist=["grain"]).grain("weekly"),
    lambda: __import__("bass.ml.families", fromlist=["family"]).family("nowhere"),
    lambda: __import__("bass.marts.tariff.catalogue", fromlist=["proposal"]).proposal("nowhere"),
])
def test_every_lookup_by_name_raises_the_one_unknown_name_error(lookup):
    with pytest.raises(UnknownName, match="unknown .* known: "):
        lookup()


def test_overrides_return_a_new_config_and_leave_the_old_one_alone():
    cfg = load_config("test")
    before = cfg.get("ml.churn.candidates")
    new = cfg.with_overrides({"ml.churn.candidates": {"gbt": {}}, "new.section.key": 3})
    assert new.get("ml.churn.candidates") == {"gbt": {}} and new.get("new.section.key") == 3
    assert cfg.get("ml.churn.candidates") == before and cfg.get("new.section.key") is None
    assert new.paths == cfg.paths and new.env == cfg.env


def test_the_repository_cites_only_what_it_holds():
    """A clone has no ../shared folder or the source documents: the code cites docs/domain.md."""
    root = PACKAGE.parents[1]
    outside = ("DOMAIN.md", "DESIGN.md", "../shared", "shared/data", "shared/seeds", "seed 00", "seeds 00")
    found = []
    for folder in ("lib", "sql", "conf", "jobs"):
        for path in (root / folder).rglob("*"):
            if path.suffix in (".py", ".sql", ".yml", ".java") and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                found += [f"{path.relative_to(root)}: {w}" for w in outside if w in text]
    readme = (root / "README.md").read_text(encoding="utf-8")
    found += [f"README.md: {w}" for w in outside if w in readme]
    assert not found, found
    assert (root / "docs" / "domain.md").exists()

