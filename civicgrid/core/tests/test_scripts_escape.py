"""Our own scripts never hand data to the browser as HTML: names typed by staff or residents
(unit names, event titles) go into maps and charts as text nodes or textContent.

A grep-level guard: it reads every script under civicgrid/*/static and fails on the ways a
string becomes markup (innerHTML and friends, Leaflet's bindTooltip/bindPopup/setContent with
a string, chart formatters written as functions, template strings holding tags)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in ROOT.glob("*/static/**/*.js") if "vendor" not in p.parts)

MARKUP_SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\b"
)
LEAFLET_CONTENT = re.compile(
    r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(\s*([^\s,)]+)"
)
SAFE_ARGUMENT = re.compile(r"^(document\.createTextNode\(|function\b)")


def _elements(source: str) -> set[str]:
    """Names this script assigns a fresh DOM element to (var box = document.createElement…)."""
    return set(re.findall(r"(?:var|let|const)\s+(\w+)\s*=\s*document\.createElement\(", source))


def test_it_finds_our_scripts():
    assert any(p.name == "map.js" and p.parent.name == "org" for p in SCRIPTS)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_script_turns_data_into_html(path):
    source = path.read_text(encoding="utf-8")
    assert not MARKUP_SINKS.findall(source), "use textContent or text nodes, never HTML"
    elements = _elements(source)
    for method, argument in LEAFLET_CONTENT.findall(source):
        safe = SAFE_ARGUMENT.match(argument) or argument in elements
        assert safe, f"{method}({argument}…): Leaflet renders a string as HTML; pass a text node"
    for formatter in re.findall(r"formatter\s*:\s*(\S+)", source):
        assert formatter[0] in "\"'", "chart formatters are templates, not functions returning HTML"
    for template in re.findall(r"`[^`]*`", source):
        assert "<" not in template, "no markup built in template strings"


def test_the_guard_catches_a_name_passed_as_a_string():
    bad = "l.bindTooltip(feature.properties.name, { sticky: true });"
    ((_method, argument),) = LEAFLET_CONTENT.findall(bad)
    assert not SAFE_ARGUMENT.match(argument) and argument not in _elements(bad)
