"""The search layer is closed: the rest of Delbar uses `delbar.search`'s public interface only, never
its modules or tables, and no app hides an import inside a function to dodge a circle with it."""

import ast
from pathlib import Path

import delbar
import delbar.search

ROOT = Path(delbar.__file__).parent
SEARCH = ROOT / "search"


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _outside_search():
    return [path for path in ROOT.rglob("*.py") if SEARCH not in path.parents]


def test_nothing_outside_search_imports_its_modules():
    reaching = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                for path in _outside_search() for line, module, _names in _imports(path)
                if module.startswith("delbar.search.")]
    assert reaching == []


def test_what_is_imported_from_search_is_its_public_interface():
    public = set(delbar.search.__all__)
    unknown = [f"{path.relative_to(ROOT)}:{line} imports {name}"
               for path in _outside_search() for line, module, names in _imports(path)
               if module == "delbar.search" for name in names if name not in public]
    assert unknown == []


def test_every_public_name_resolves():
    for name in delbar.search.__all__:
        assert getattr(delbar.search, name) is not None, name


def test_search_tables_are_named_only_inside_search():
    named = [str(path.relative_to(ROOT)) for path in _outside_search()
             if "SearchDocument" in path.read_text() or "SearchTerm" in path.read_text()]
    assert named == []


def test_matching_and_group_proposals_import_each_other_nowhere():
    matching = {module for _line, module, _names in _imports(ROOT / "needs" / "matching.py")}
    proposals = {module for _line, module, _names in _imports(ROOT / "groups" / "proposals.py")}
    assert "delbar.groups.proposals" not in matching
    assert "delbar.needs.matching" not in proposals
