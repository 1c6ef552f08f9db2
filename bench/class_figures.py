"""Class figures for a district's year: civicgrid's rollup rows against the same counts taken
straight from the sessions and enrolments, on a synthetic district.

Builds (once, then reuses) a database under var/bench-classes/: a district of `STREETS` streets
and `COMMUNITIES` communities, each community holding `SESSIONS` sessions over two years with
about `PER_SESSION` check-ins each (`BENCH_CLASS_SESSIONS`, `BENCH_CLASS_PER_SESSION` change
the size). Rows are written in bulk and the rollups rebuilt by `rollups.rebuild`, the
same function the tests check against the services. Both ways must give the same numbers.

Distinct learners cannot come from a rollup (a distinct count does not add up); its query over
the check-ins is measured too and reported as it is.
"""

import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench-classes"
STREETS = 14
COMMUNITIES = 157
SESSIONS = int(os.environ.get("BENCH_CLASS_SESSIONS", "400"))
PER_SESSION = int(os.environ.get("BENCH_CLASS_PER_SESSION", "30"))
RUNS = 50
RAW_RUNS = 5


def _setup() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CIVICGRID_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build() -> None:
    """The synthetic district, unless it is there already."""
    from django.db import transaction
    from django.utils import timezone

    from civicgrid.classes import rollups
    from civicgrid.classes.models import Course, Enrolment, Session, Teacher, Venue
    from civicgrid.core import privacy
    from civicgrid.org.models import OrgUnit

    if Session.objects.exists():
        return
    rng = random.Random(5)
    started = time.perf_counter()
    with transaction.atomic():
        district = OrgUnit.objects.create(code="410102", name="中原区", kind="district")
        communities = []
        for s in range(1, STREETS + 1):
            street = OrgUnit.objects.create(
                code=f"410102{s:03d}", name=f"街道{s}", kind="street", parent=district
            )
            for c in range(
                1, COMMUNITIES // STREETS + (1 if s <= COMMUNITIES % STREETS else 0) + 1
            ):
                communities.append(
                    OrgUnit.objects.create(
                        code=f"{street.code}{c:03d}",
                        name=f"社区{s}-{c}",
                        kind="community",
                        parent=street,
                    )
                )
        phones = [f"13{rng.randint(0, 9)}{n:08d}" for n in range(4000)]
        sealed = [privacy.seal(p, privacy.mask_phone) for p in phones]
        today = timezone.localdate()
        for community in communities:
            venue = Venue.objects.create(
                unit=community, name="党群服务中心", kind="service_centre", capacity=60
            )
            teachers = [
                Teacher.objects.create(unit=community, name=f"讲师{n}", kind="professional")
                for n in range(3)
            ]
            course = Course.objects.create(
                unit=community,
                title="先锋课堂",
                programme="night_school",
                category="skills",
                audience="residents",
            )
            sessions = []
            for n in range(SESSIONS):
                day = today - dt.timedelta(days=rng.randint(1, 730))
                starts = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
                sessions.append(
                    Session(
                        course=course,
                        unit=community,
                        unit_code=community.code,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=2),
                        section="evening",
                        venue=venue,
                        teacher=teachers[n % 3],
                        capacity=60,
                        class_hours=2,
                        status="held",
                        checkin_token=f"{community.code}-{n}",
                        attended=0,
                    )
                )
            Session.objects.bulk_create(sessions, batch_size=2000)
            rows = []
            for session in sessions:
                count = rng.randint(PER_SESSION // 2, PER_SESSION * 3 // 2)
                people = rng.sample(range(len(phones)), count)
                session.attended = session.enrolled = count
                for p in people:
                    cipher, digest, masked = sealed[p]
                    rows.append(
                        Enrolment(
                            session=session,
                            unit=community,
                            unit_code=community.code,
                            name="居民",
                            phone=cipher,
                            phone_hash=digest,
                            phone_masked=masked,
                            status="enrolled",
                            channel="public",
                            verified=True,
                            checked_in_at=session.starts_at + dt.timedelta(minutes=1),
                            token=f"{session.checkin_token}-{p}",
                        )
                    )
            Enrolment.objects.bulk_create(rows, batch_size=5000)
            Session.objects.bulk_update(sessions, ["attended", "enrolled"], batch_size=2000)
        rollups.rebuild()
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


RAW_COUNTS = """
SELECT COUNT(*), SUM(s.attended)
FROM classes_session s
WHERE s.unit_code LIKE %s AND s.status <> 'cancelled' AND s.starts_at >= %s AND s.starts_at < %s
"""
RAW_TOP = """
SELECT s.teacher_id, SUM(s.attended) AS n FROM classes_session s
WHERE s.unit_code LIKE %s AND s.status <> 'cancelled' AND s.starts_at >= %s AND s.starts_at < %s
GROUP BY s.teacher_id ORDER BY n DESC LIMIT 5
"""
RAW_ATTENDANCE = """
SELECT COUNT(*) FROM classes_enrolment e
WHERE e.unit_code LIKE %s AND e.checked_in_at >= %s AND e.checked_in_at < %s
"""


def _timed(call, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def run() -> dict:
    _setup()
    _build()
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from bench import record
    from civicgrid.classes import selectors
    from civicgrid.classes.models import ClassRollup, Enrolment, Session
    from civicgrid.org.models import OrgUnit

    district = OrgUnit.objects.get(code="410102")
    today = timezone.localdate()
    first, last = today.replace(year=today.year - 1, day=1), today.replace(day=1)
    tz = timezone.get_default_timezone()
    window = (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine((last + dt.timedelta(days=32)).replace(day=1), dt.time(), tzinfo=tz),
    )

    def rollup_counts():
        rows = ClassRollup.objects.filter(
            unit_code__startswith=district.code, month__gte=first, month__lte=last
        )
        totals = rows.aggregate(held=Sum("held"), attended=Sum("attended"))
        top = list(rows.values("teacher_id_key").annotate(n=Sum("attended")).order_by("-n")[:5])
        return totals["held"], totals["attended"], [row["n"] for row in top]

    def raw_counts():
        with connection.cursor() as cursor:
            cursor.execute(RAW_COUNTS, [district.code + "%", *window])
            held, attended = cursor.fetchone()
            cursor.execute(RAW_TOP, [district.code + "%", *window])
            top = [row[1] for row in cursor.fetchall()]
            cursor.execute(RAW_ATTENDANCE, [district.code + "%", *window])
            (checked_in,) = cursor.fetchone()
        assert checked_in == attended
        return held, attended, top

    rollup_times, from_rollups = _timed(rollup_counts, RUNS)
    raw_times, from_rows = _timed(raw_counts, RAW_RUNS)
    if from_rollups != from_rows:
        raise AssertionError(f"rollups {from_rollups} != recount {from_rows}")
    learner_times, _ = _timed(lambda: selectors.figures(district, first, last)["learners"], 3)

    rollup_ms = statistics.median(rollup_times)
    raw_ms = statistics.median(raw_times)
    figures = {
        "sessions": Session.objects.count(),
        "check_ins": Enrolment.objects.count(),
        "rollup_rows": ClassRollup.objects.count(),
        "district_year_held": from_rollups[0],
        "district_year_attendances": from_rollups[1],
        "rollup_median_ms": round(rollup_ms, 2),
        "raw_median_ms": round(raw_ms, 1),
        "distinct_learners_median_ms": round(statistics.median(learner_times), 1),
    }
    return record(
        "class_figures",
        figures,
        baseline="the same counts from the sessions and check-ins (SQL over the rows)",
        ratio=raw_ms / rollup_ms,
    )
