"""Imports point down the layers (DESIGN.md, "Architecture"), and the apps form no cycle.

Every module of every app is read, migrations and management commands included, tests left out;
an import inside a function counts like one at the top. The project's wiring (urls.py, api.py,
settings.py, wsgi.py, env.py, conftest.py beside the apps) joins every app and is exempt.
"""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

# The layer of each app: an app may import the apps of the layers below its own.
LAYERS = {
    "core": 0,
    "org": 1,
    "messaging": 1,
    "accounts": 2,
    "people": 2,
    "events": 2,
    "party": 2,
    "classes": 3,
    "volunteers": 3,
    "community": 4,
    # Work orders from other systems and what goes back to them: above events, which tells it
    # about steps through hooks (events.services.step_hooks), never by importing it.
    "interop": 3,
    # Disputes: cases from events and situations, rooms that are class venues, parties that are
    # residents and organisations; events learn of cases only through their step hooks.
    "mediation": 4,
    # Public selections (评选) with one vote per person: units, verification codes, photos.
    "selections": 4,
    "alliances": 4,
    # Grid workers' assessment: figures from events, patrols, ledgers, classes and volunteering;
    # public selections beside it.
    "assessment": 4,
    # The leader cockpit: every module's figures for any unit, the big screen, exports and the
    # monthly report (issue 19).
    "cockpit": 5,
    # Suggested category and department from a report's text (issue 20): learns from events,
    # which asks it for suggestions only through a hook (events.suggestions.suggesters).
    "routing": 3,
    "site": 6,
}

# The only imports between apps of one layer, each one way (the cycle test keeps it so).
SAME_LAYER = {
    # A party member entered by phone is linked to the resident record with that phone.
    ("party", "people"),
    # Open311 clients authenticate with the API keys that accounts issues.
    ("events", "accounts"),
    # A community task is decomposed from a joint meeting's resolution, and the community's
    # pages list the committees' member units: community builds on alliances, never the reverse.
    ("community", "alliances"),
}


def app_modules(package: Path = PACKAGE) -> dict[str, list[Path]]:
    """Each app's modules (every package with an apps.py is an app), its tests left out."""
    modules: dict[str, list[Path]] = {}
    for app in sorted(p for p in package.iterdir() if (p / "apps.py").exists()):
        modules[app.name] = [
            path
            for path in sorted(app.rglob("*.py"))
            if "tests" not in path.relative_to(app).parts
            and not path.name.startswith("test_")
            and path.name != "conftest.py"
        ]
    return modules


def imported(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every import in `path`, relative ones resolved, `from civicgrid import
    org` read as civicgrid.org."""
    here = [package.name, *path.relative_to(package).with_suffix("").parts]
    if here[-1] == "__init__":
        here.pop()
    else:
        here = here[:-1]  # a module's relative imports start from its package
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module == package.name:
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def app_edges(package: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> "file:line imports module" for each such import."""
    modules = app_modules(package)
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app, paths in modules.items():
        for path in paths:
            for line, module in imported(path, package):
                parts = module.split(".")
                if len(parts) > 1 and parts[0] == package.name and parts[1] != app:
                    where = path.relative_to(package.parent)
                    edges[app, parts[1]].append(f"{where}:{line} imports {module}")
    return edges


def wrong_way(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    """Each import that points up, sideways outside SAME_LAYER, or into no known app."""
    wrong = []
    for (source, target), imports in sorted(edges.items()):
        if source not in LAYERS or target not in LAYERS:
            wrong += [f"{i} (no layer for {source!r} or {target!r})" for i in imports]
        elif LAYERS[target] > LAYERS[source] or (
            LAYERS[target] == LAYERS[source] and (source, target) not in SAME_LAYER
        ):
            why = f"layer {LAYERS[source]} may not import {target}, layer {LAYERS[target]}"
            wrong += [f"{i}: {source}, {why}" for i in imports]
    return wrong


def cycles(graph: set[tuple[str, str]]) -> list[list[str]]:
    """The apps of each cycle: every strongly connected component of more than one app
    (Tarjan), sorted."""
    successors: dict[str, list[str]] = defaultdict(list)
    for source, target in sorted(graph):
        successors[source].append(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for after in successors[node]:
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted({app for edge in graph for app in edge}):
        if node not in index:
            visit(node)
    return sorted(found)


def test_every_app_has_a_layer():
    assert sorted(set(app_modules()) - set(LAYERS)) == []


def test_imports_point_down_the_layers():
    wrong = wrong_way(app_edges())
    assert not wrong, "Imports against the layers:\n" + "\n".join(wrong)


def test_the_apps_import_each_other_in_no_cycle():
    edges = app_edges()
    lines = []
    for component in cycles(set(edges)):
        # A cycle cannot only go down: name its edges that do not, those outside SAME_LAYER
        # first (one import of each).
        closing = [
            (source, target)
            for source, target in sorted(edges)
            if source in component
            and target in component
            and LAYERS.get(target, 0) >= LAYERS.get(source, 0)
        ]
        lines.append(" ↔ ".join(component) + ", closed by:")
        lines += [
            f"  {edges[edge][0]}"
            for edge in [edge for edge in closing if edge not in SAME_LAYER] or closing
        ]
    assert not lines, "Cycles between apps:\n" + "\n".join(lines)


# ---- the checker itself ------------------------------------------------------------------------


def test_it_resolves_relative_and_package_imports(tmp_path):
    package = tmp_path / "civicgrid"
    (package / "core").mkdir(parents=True)
    (package / "core" / "apps.py").write_text("")
    (package / "core" / "views.py").write_text(
        "from civicgrid import org\nfrom ..events import photos\nfrom . import errors\n"
        "def late():\n    import civicgrid.site.nav\n"
    )
    assert imported(package / "core" / "views.py", package) == [
        (1, "civicgrid.org"),
        (2, "civicgrid.events"),
        (3, "civicgrid.core"),
        (5, "civicgrid.site.nav"),
    ]
    wrong = wrong_way(app_edges(package))
    assert [line.split(":")[0:2] for line in wrong] == [
        ["civicgrid/core/views.py", "2 imports civicgrid.events"],
        ["civicgrid/core/views.py", "1 imports civicgrid.org"],
        ["civicgrid/core/views.py", "5 imports civicgrid.site.nav"],
    ]


def test_it_finds_a_cycle_and_only_the_apps_in_it():
    graph = {("party", "people"), ("people", "org"), ("org", "party"), ("site", "org")}
    assert cycles(graph) == [["org", "party", "people"]]
    assert cycles(graph - {("org", "party")}) == []
