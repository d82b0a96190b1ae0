"""The layers of README "Architecture": import-linter checks the direction between apps (``make test`` runs
``lint-imports``); this test checks what import-linter cannot see: an import inside a function body.

Such an import is how a cycle between apps hides (the concept lives in the wrong app). Only heavy third-party
libraries may be imported lazily (WeasyPrint, openpyxl, kombu), never a module of this project.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("accounting", "applications", "budgets", "sectorplan")


def _function_body_imports(root: Path = ROOT):
    for package in PROJECT:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.ImportFrom):
                        module = node.module or ""
                        if node.level or module.split(".")[0] in PROJECT:
                            yield f"{path.relative_to(root)}:{node.lineno} from {'.' * node.level}{module}"
                    elif isinstance(node, ast.Import):
                        for alias in node.names:
                            if alias.name.split(".")[0] in PROJECT:
                                yield f"{path.relative_to(root)}:{node.lineno} import {alias.name}"


def test_no_project_import_inside_a_function_body():
    assert list(_function_body_imports()) == []


def test_the_checker_finds_an_import_inside_a_function(tmp_path):
    """The scan sees a hidden import, relative or absolute (so an empty result above means something)."""
    package = tmp_path / "budgets"
    package.mkdir()
    (package / "services.py").write_text(
        "import os\n\ndef f():\n    from applications.models import Decision\n    from . import x\n    import json\n"
    )
    assert list(_function_body_imports(tmp_path)) == [
        "budgets/services.py:4 from applications.models",
        "budgets/services.py:5 from .",
    ]
