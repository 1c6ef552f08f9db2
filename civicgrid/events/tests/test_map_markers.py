"""Map pins are drawn, not images: Leaflet finds its default marker image by matching
`marker-icon.png` in its own CSS, and the hashed static names (marker-icon.<hash>.png) defeat
that, so `L.marker` asked /r/marker-icon.png and the resident saw no pin where they tapped.
The crawl at 375 px found the 404s; the scripts now draw circle markers like point.js."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in ROOT.glob("*/static/**/*.js") if "vendor" not in p.parts)


def test_no_script_of_ours_uses_the_default_image_marker():
    assert any(p.name == "report.js" for p in SCRIPTS)
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in SCRIPTS
        if re.search(r"\bL\.marker\(|L\.Icon\.Default", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
