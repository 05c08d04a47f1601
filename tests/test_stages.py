"""The stage list of `calc run` is told in four places (pipeline.py's, load.py's and validate.py's
docstrings, incentives/README.md's table): they name the same stages in the same order with the
same modules, each module exists, and `pipeline.compute` calls the engine's stages in that order."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from incentives import load, pipeline, validate

PACKAGE = Path(pipeline.__file__).parent
README = PACKAGE / "README.md"
STAGE = re.compile(r"(?P<name>[a-z][a-z ]*?) \((?P<modules>`[^)]*`)\)")


def _modules(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", text))


def chain(doc: str) -> list[tuple[str, tuple[str, ...]]]:
    """The `a (`m.py`) -> b (`n.py`, `o/`) -> ...` sentence of a docstring, as (stage, modules)."""
    flat = " ".join(doc.split())
    found = re.search(r"read \(`read/`\)(?: -> [^>]+?\))+", flat)
    assert found, "no stage chain starting with read (`read/`) in the docstring"
    stages = []
    for part in found.group(0).split(" -> "):
        m = STAGE.fullmatch(part.strip())
        assert m, f"not a stage: {part!r}"
        stages.append((m["name"], _modules(m["modules"])))
    return stages


def table() -> list[tuple[str, tuple[str, ...]]]:
    """incentives/README.md's numbered table rows, as (stage, modules), in their order."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (\d+) \| ([^|]+) \| ([^|]+) \|", line)
        if m:
            rows.append((int(m[1]), m[2].strip(), _modules(m[3])))
    assert [n for n, _, _ in rows] == list(range(1, len(rows) + 1)), "the table's rows are numbered 1, 2, ..."
    return [(name, modules) for _, name, modules in rows]


def test_a_chain_is_read_as_its_stages():
    # the reader of the docstrings is itself checked on a chain written here
    doc = """Before. read (`read/`) -> load (`load.py`, `records.py`)
    -> tier review (`review.py`). After."""
    assert chain(doc) == [("read", ("read/",)), ("load", ("load.py", "records.py")), ("tier review", ("review.py",))]


@pytest.mark.parametrize("module", [pipeline, load, validate], ids=["pipeline", "load", "validate"])
def test_each_docstring_tells_the_readmes_stages(module):
    assert chain(module.__doc__) == table()


def test_every_module_named_exists():
    missing = [m for _, modules in table() for m in modules if not (PACKAGE / m).exists()]
    assert missing == []


def test_compute_calls_the_engine_stages_in_the_listed_order():
    """Each call in `compute`'s body, resolved to the module it is imported from, in order: the
    stages from convert to settle as the README lists them."""
    tree = ast.parse(Path(pipeline.__file__).read_text(encoding="utf-8"))
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("incentives"):
            for alias in node.names:
                imported[alias.asname or alias.name] = (f"{node.module}.{alias.name}" if node.module == "incentives"
                                                        else node.module)
    compute = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "compute")
    called, pending = [], {}

    def module_of(f) -> str | None:
        attribute = isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
        name = f.value.id if attribute else getattr(f, "id", "")
        return imported[name].removeprefix("incentives.").replace(".", "/") + ".py" if name in imported else None

    def walk(statements):
        for statement in statements:  # a stage is an assignment of one call's result
            if isinstance(statement, ast.With):  # a stage worked out in a thread: where its result is taken
                walk(statement.body)
            elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                f = statement.value.func
                if isinstance(f, ast.Attribute) and f.attr == "submit":
                    pending[statement.targets[0].id] = module_of(statement.value.args[0])
                elif isinstance(f, ast.Attribute) and f.attr == "result" and isinstance(f.value, ast.Name):
                    called.append(pending.pop(f.value.id))
                elif (module := module_of(f)) is not None:
                    called.append(module)

    walk(compute.body)
    stages = [modules[0] for name, modules in table()]
    engine = stages[stages.index("convert.py"):stages.index("settle.py") + 1]
    in_order = [m for m in called if m in engine]
    assert in_order == engine
