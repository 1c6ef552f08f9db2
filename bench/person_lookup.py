"""提户知人 in a district of a million residents: civicgrid's lookup (search keys, one index
range per word, scoped) against an unindexed LIKE scan over names and addresses.

Builds (once, then reuses) a database under var/bench-people/ with the demo district's org
tree and `BENCH_PERSONS` (default 1 000 000) synthetic residents spread over its grids by
`civicgrid.people.synth` (encrypted numbers, keys, tags, as in production). Queries are drawn
from real residents of that database: full names, given names, pinyin initials, estate and
building with initials, 楼-单元-室 shorthand, whole phone and ID numbers, asked by a district
official (scope: the whole district) and by a grid worker (one grid). The LIKE baseline runs
the name and address queries it can answer (`name LIKE '%…%' OR address LIKE '%…%'` per word,
same scope, same limit); the ratio compares the two on exactly those queries.
"""

import json
import os
import random
import statistics
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench-people"
DISTRICT = "410102"
RUNS = 3


def _setup() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CIVICGRID_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(persons: int) -> dict:
    """The district and its residents, once; the marker keeps the sampled clear numbers."""
    marker_file = Path(os.environ["CIVICGRID_VAR_DIR"]) / "people.json"
    earlier = json.loads(marker_file.read_text()) if marker_file.exists() else None
    if earlier and earlier["persons"] >= persons:
        return earlier
    from django.db import connection
    from tqdm import tqdm

    from civicgrid.org.demo import load_demo
    from civicgrid.org.kinds import Kind
    from civicgrid.org.models import OrgUnit
    from civicgrid.people.models import Person
    from civicgrid.people.synth import Writer

    load_demo(DISTRICT, progress=False)
    grids = list(OrgUnit.objects.filter(code__under=DISTRICT, kind=Kind.GRID).order_by("code"))
    writer = Writer(DISTRICT)
    per_grid = max(1, round(persons / 2.5 / len(grids)))
    started = time.perf_counter()
    total = Person.objects.count()
    for grid in tqdm(grids, desc="residents", unit="grid"):
        if total >= persons:
            break
        if not Person.objects.filter(unit_code=grid.code).exists():  # resumes a broken build
            total += writer.fill(grid, per_grid)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    marker = {
        "persons": Person.objects.count(),
        "grids": len(grids),
        "build_s": round(time.perf_counter() - started, 1),
        "samples": ((earlier or {}).get("samples", []) + writer.samples)[:200],
    }
    marker_file.write_text(json.dumps(marker, ensure_ascii=False))
    return marker


def _queries(rng: random.Random, marker: dict, grid_code: str | None) -> list[tuple[str, bool]]:
    """(query, the LIKE baseline can answer it) drawn from residents in scope."""
    from civicgrid.people.models import Person
    from civicgrid.people.search import initials as initials_of

    persons = Person.objects.select_related("household__house__building")
    if grid_code:
        persons = persons.filter(unit_code=grid_code)
    top = persons.order_by("-pk").values_list("pk", flat=True).first()
    picked = []
    while len(picked) < 40:
        person = persons.filter(pk__gte=rng.randint(1, top)).order_by("pk").first()
        if person is not None and person.household_id:
            picked.append(person)
    queries = []
    for person in picked:
        house = person.household.house
        initials = initials_of(person.name)
        queries += [
            (person.name, True),
            (person.name[1:], True),
            (initials, False),
            (f"{house.building.estate} {house.building.name} {person.name[0]}", True),
            (f"{house.building.estate} {initials}", False),
            (f"{house.building.name[:-2]}-{house.entrance}-{house.room} {person.name[0]}", False),
        ]
    if not grid_code:
        for number, phone in marker["samples"][:40]:
            queries += [(number, False), (phone, False)]
    return queries


def _grid_worker(User):
    """The demo's grid worker, or (in a small run) the first one whose grid has residents."""
    from civicgrid.people.models import Person

    workers = User.objects.filter(postings__role="grid_worker", postings__active=True)
    for worker in [User.objects.get(username="gridworker"), *workers.order_by("pk")]:
        code = worker.postings.filter(active=True).first().unit.code
        if Person.objects.filter(unit_code=code).exists():
            return worker, code
    raise SystemExit("No grid has residents.")


def _like(user, query: str, limit: int) -> list[int]:
    from django.db.models import Q

    from civicgrid.org.scoping import scope
    from civicgrid.people.models import Person

    persons = scope(Person.objects.all(), user)
    for word in query.split():
        persons = persons.filter(Q(name__contains=word) | Q(household__address__contains=word))
    return list(persons.values_list("pk", flat=True)[: limit + 1])


def _time(function, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        best = None
        for _ in range(RUNS):
            started = time.perf_counter()
            function(query)
            elapsed = (time.perf_counter() - started) * 1000
            best = elapsed if best is None else min(best, elapsed)
        timings.append(best)
    return timings


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2)


def run() -> dict:
    _setup()
    from django.contrib.auth import get_user_model

    from bench import record
    from civicgrid.people.selectors import LOOKUP_LIMIT, lookup

    persons = int(os.environ.get("BENCH_PERSONS", "1000000"))
    marker = _build(persons)
    User = get_user_model()
    district = User.objects.get(username="district")
    worker, grid_code = _grid_worker(User)
    rng = random.Random(20261123)
    figures = {"persons": marker["persons"], "grids": marker["grids"]}
    ratios = []
    for label, user, queries in (
        ("district", district, _queries(rng, marker, None)),
        ("grid_worker", worker, _queries(rng, marker, grid_code)),
    ):
        texts = [q for q, _ in queries]
        ours = _time(lambda q, user=user: lookup(user, q), texts)
        comparable = [q for q, like in queries if like]
        ours_comparable = [t for t, (_, like) in zip(ours, queries, strict=True) if like]
        like = _time(lambda q, user=user: _like(user, q, LOOKUP_LIMIT), comparable)
        # Same answers on the comparable queries (the baseline is a correct, slow search).
        # Every key match is also a substring match: ours finds nothing the scan would not.
        for query in comparable[:20]:
            found = {p.pk for p in lookup(user, query, limit=5000)}
            assert found <= set(_like(user, query, 20_000)), query
        figures[label] = {
            "queries": len(texts),
            "p50_ms": round(statistics.median(ours), 2),
            "p95_ms": _p95(ours),
            "max_ms": round(max(ours), 2),
            "comparable_queries": len(comparable),
            "comparable_p95_ms": _p95(ours_comparable),
            "like_scan_p50_ms": round(statistics.median(like), 2),
            "like_scan_p95_ms": _p95(like),
        }
        ratios.append(figures[label]["like_scan_p95_ms"] / figures[label]["comparable_p95_ms"])
    figures["p95_ms"] = max(figures["district"]["p95_ms"], figures["grid_worker"]["p95_ms"])
    figures["like_scan_p95_ms"] = figures["district"]["like_scan_p95_ms"]
    figures["database"] = "sqlite"
    return record(
        "person_lookup",
        figures,
        baseline=(
            "unindexed LIKE '%word%' over name and household address, per word, same scope "
            "and limit (district user; ratio = its p95 / ours on the same queries)"
        ),
        ratio=ratios[0],
    )
