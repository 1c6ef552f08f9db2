"""Patrols (日查/夜巡) and quick notes (随手记), and turning a note into an event."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.photos import read_photo
from civicgrid.events import numbering, worker_rollups
from civicgrid.events.models import Category, Event, Patrol, PatrolKind, QuickNote, Source
from civicgrid.events.roles import GRID_ROLES
from civicgrid.events.services import checked_point, report_event
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.scoping import postings_of_user


def may_patrol(actor) -> bool:
    """Whether the user keeps patrols and quick notes: a grid role (网格员, 网格长, 微网格长)."""
    return any(role in GRID_ROLES for _code, role in postings_of_user(actor))


def _grid_of(actor) -> OrgUnit:
    posting = (
        Posting.objects.filter(user=actor, active=True, role__in=GRID_ROLES)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if posting is None:
        raise NotAllowed(_("Only grid workers keep patrols and quick notes."))
    return posting.unit


@transaction.atomic
def start_patrol(*, actor, kind: str, lon: Any = None, lat: Any = None) -> Patrol:
    """日查/夜巡. One open patrol per worker."""
    if kind not in PatrolKind.values:
        raise InvalidInput(_("Choose day check or night patrol."), field="kind")
    unit = _grid_of(actor)
    if Patrol.objects.filter(worker=actor, ended_at=None).exists():
        raise Conflict(_("End your current patrol first."))
    now = timezone.now()
    track = []
    if lon not in (None, "") and lat not in (None, ""):
        point = checked_point(lon, lat)
        track.append([*point, now.isoformat()])
    return Patrol.objects.create(unit=unit, worker=actor, kind=kind, started_at=now, track=track)


def _open_patrol(actor, patrol_id: int) -> Patrol:
    patrol = (
        Patrol.objects.select_for_update().filter(pk=patrol_id, worker=actor, ended_at=None).first()
    )
    if patrol is None:
        raise Conflict(_("This patrol is not open."))
    return patrol


@transaction.atomic
def add_patrol_point(*, actor, patrol_id: int, lon: Any, lat: Any) -> Patrol:
    patrol = _open_patrol(actor, patrol_id)
    patrol.track.append([*checked_point(lon, lat), timezone.now().isoformat()])
    patrol.save(update_fields=["track"])
    return patrol


@transaction.atomic
def end_patrol(*, actor, patrol_id: int, note: str = "") -> Patrol:
    patrol = _open_patrol(actor, patrol_id)
    patrol.ended_at = timezone.now()
    patrol.note = (note or "").strip()[:300]
    patrol.save(update_fields=["ended_at", "note"])
    worker_rollups.apply(worker_rollups.patrol_contributions(patrol))
    return patrol


@transaction.atomic
def add_quick_note(*, actor, text: str, lon: Any, lat: Any, photo=None) -> QuickNote:
    """随手记: one line, a photo and a place, tied to the worker's open patrol if any."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Write a line about what you saw."), field="text")
    unit = _grid_of(actor)
    cleaned = read_photo(photo, field="photo") if photo else None
    if (lon in (None, "") or lat in (None, "")) and cleaned and cleaned.gps:
        lon, lat = cleaned.gps
    lon, lat = checked_point(lon, lat)
    patrol = Patrol.objects.filter(worker=actor, ended_at=None).first()
    note = QuickNote(unit=unit, author=actor, patrol=patrol, text=text[:200], lon=lon, lat=lat)
    if cleaned:
        note.photo.save("note.jpg", cleaned.content, save=False)
    note.save()
    worker_rollups.apply(worker_rollups.note_contributions(note))
    return note


def report_from_note(
    *, actor, note: QuickNote, category: Category | None, title: str = ""
) -> Event:
    """Turn a quick note into an event in one step (its photo becomes the before-photo)."""
    if note.author_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the author may turn a quick note into an event."))
    # The number is taken before the transaction, not under the note's lock (events.numbering).
    ident = numbering.take(timezone.now())
    with transaction.atomic():
        locked = QuickNote.objects.select_for_update().get(pk=note.pk)
        if locked.event_id is not None:
            raise Conflict(_("This note is already an event."))
        photos = [locked.photo.open("rb")] if locked.photo else []
        try:
            event = report_event(
                actor=actor,
                title=title or locked.text,
                category=category,
                lon=locked.lon,
                lat=locked.lat,
                source=Source.QUICK_NOTE,
                photos=photos,
                ident=ident,
            )
        finally:
            for handle in photos:
                handle.close()
        locked.event = event
        locked.save(update_fields=["event"])
        return event
