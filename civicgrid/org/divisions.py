"""The national division codes bundled with civicgrid (郑州: city, districts, streets,
communities) and the importer that puts any part of them into the org tree."""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.core.errors import InvalidInput
from civicgrid.core.types import Actor
from civicgrid.org import services
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_KIND = {
    "city": Kind.CITY,
    "district": Kind.DISTRICT,
    "street": Kind.STREET,
    "community_or_village": Kind.COMMUNITY,
}
_SUFFIXES = re.compile(r"(社区居民委员会|社区居委会|居民委员会|居委会|村民委员会|村委会|办事处)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    parent_code: str

    @property
    def short_name(self) -> str:
        """河南纺机社区居民委员会 → 河南纺机社区; 三官庙街道办事处 → 三官庙街道."""
        short = _SUFFIXES.sub("", self.name)
        if self.kind == Kind.COMMUNITY and self.name.endswith(("居民委员会", "居委会")):
            short = short if short.endswith("社区") else f"{short}社区"
        if self.kind == Kind.COMMUNITY and self.name.endswith(("村民委员会", "村委会")):
            short = short if short.endswith("村") else f"{short}村"
        return short


@cache
def divisions() -> dict[str, Division]:
    with (DATA_DIR / "zhengzhou-divisions.csv").open(encoding="utf-8") as f:
        return {
            row["code"]: Division(
                row["code"], row["name"], LEVEL_KIND[row["level"]], row["parent_code"]
            )
            for row in csv.DictReader(f)
        }


def subtree(root_code: str) -> list[Division]:
    """The division `root_code` and everything below it, parents before children."""
    table = divisions()
    if root_code not in table:
        raise InvalidInput(
            _("Unknown division code %(code)s: the bundled table covers 郑州市 (4101).")
            % {"code": root_code},
            field="code",
        )
    return sorted((d for c, d in table.items() if c.startswith(root_code)), key=lambda d: d.code)


def import_divisions(
    root_codes: Iterable[str], *, actor: Actor = None, progress: bool = True
) -> int:
    """Create the units for the given divisions and all below them; existing codes are left
    as they are, so importing twice changes nothing. Returns the number of units created.
    A district imported alone becomes a top-level unit; with its city, it hangs below it."""
    with services.batch_changes():
        return _import(root_codes, actor, progress)


def _import(root_codes: Iterable[str], actor: Actor, progress: bool) -> int:
    wanted: dict[str, Division] = {}
    for code in root_codes:
        for division in subtree(code):
            wanted[division.code] = division
    existing = dict(OrgUnit.objects.filter(code__in=list(wanted)).values_list("code", "pk"))
    by_code = {u.code: u for u in OrgUnit.objects.filter(pk__in=existing.values())}
    created = 0
    todo = [d for d in wanted.values() if d.code not in existing]
    for division in tqdm(todo, desc=_("Divisions"), unit="", disable=not progress or not todo):
        parent = by_code.get(division.parent_code)
        if parent is None and division.parent_code:
            parent = OrgUnit.objects.filter(code=division.parent_code).first()
        unit = services.create_unit(
            actor=actor,
            parent=parent,
            kind=division.kind,
            name=division.name,
            code=division.code,
            short_name=division.short_name,
        )
        by_code[unit.code] = unit
        created += 1
    return created
