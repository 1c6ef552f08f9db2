"""Every write to selections: a selection and its categories, the steps of its lifecycle,
nominations and their review, proving a voter's phone, votes, anomaly flags and voiding.

Each step runs through the machines of `workflow.py` (lock, version, table, role, log in one
transaction). The periods are the selection's own: a nomination is taken only while the
selection takes nominations and within its nomination period, a vote only while voting is open
and within the voting period (`now` is explicit in every call that depends on it).

One vote per person: `verify_voter` accepts a phone's verification code once and returns the
`Voter` (the keyed hash of the phone and its masked form; the number itself is never kept);
`cast_vote` writes the vote with its slot (the day, or the whole selection, per `VoteRule`),
unique per phone and category in the database, and adds it to the candidate's `Tally` in the
same transaction, then flags the patterns of `settings.SELECTION_*` as `Anomaly` rows.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import limits, privacy
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.photos import read_photos
from civicgrid.messaging import services as messaging
from civicgrid.messaging.models import CodePurpose
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds
from civicgrid.selections.models import (
    NOMINATOR_PHONE,
    Anomaly,
    AnomalyKind,
    Category,
    Nomination,
    NominationAction,
    NominationPhoto,
    NominationStatus,
    Outcome,
    Selection,
    SelectionAction,
    SelectionStatus,
    Tally,
    Vote,
    VoteRule,
)
from civicgrid.selections.roles import STAFF_ROLES
from civicgrid.selections.workflow import NOMINATIONS, REVIEWABLE, SELECTIONS

S = SelectionStatus
A = SelectionAction
N = NominationStatus

# The units that run selections.
SELECTION_UNIT_KINDS = (Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY)
TITLE_LIMIT = 100
TEXT_LIMIT = 2000
NAME_LIMIT = 40
MAX_CATEGORIES = 10


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _require(actor: Any, code: str) -> None:
    if not holds(actor, code, STAFF_ROLES):
        raise NotAllowed(_("Only the staff of this unit or a unit above it run its selections."))


def _text(
    value: str | None, field: str, limit: int, *, label: str = "", required: bool = True
) -> str:
    text = plain_text(value or "").strip()
    if required and not text:
        raise InvalidInput(_("%(label)s is required.") % {"label": label or field}, field=field)
    if len(text) > limit:
        raise InvalidInput(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return text


# ---- selections --------------------------------------------------------------------------------


@dataclass
class SelectionData:
    title: str
    nominations_open_at: dt.datetime
    nominations_close_at: dt.datetime
    voting_open_at: dt.datetime
    voting_close_at: dt.datetime
    vote_rule: str = VoteRule.DAILY
    description: str = ""


def _checked(data: SelectionData) -> dict[str, Any]:
    """The fields of a selection from `data`, checked: the periods follow each other (the
    review period lies between the close of nominations and the opening of the vote)."""
    moments = {}
    for name in (
        "nominations_open_at",
        "nominations_close_at",
        "voting_open_at",
        "voting_close_at",
    ):
        moment = getattr(data, name)
        if moment is None:
            raise InvalidInput(_("Give every date of the selection."), field=name)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if not 2000 <= moment.year <= 2100:
            raise InvalidInput(_("Give a date between 2000 and 2100."), field=name)
        moments[name] = moment
    if moments["nominations_close_at"] <= moments["nominations_open_at"]:
        raise InvalidInput(
            _("Nominations must close after they open."), field="nominations_close_at"
        )
    if moments["voting_open_at"] < moments["nominations_close_at"]:
        raise InvalidInput(
            _("Voting opens after nominations close (the review comes between)."),
            field="voting_open_at",
        )
    if moments["voting_close_at"] <= moments["voting_open_at"]:
        raise InvalidInput(_("Voting must close after it opens."), field="voting_close_at")
    if data.vote_rule not in VoteRule.values:
        raise InvalidInput(_("Choose how often a phone may vote."), field="vote_rule")
    return {
        "title": _text(data.title, "title", TITLE_LIMIT, label=_("Title")),
        "description": _text(data.description, "description", TEXT_LIMIT, required=False),
        "vote_rule": data.vote_rule,
        **moments,
    }


def _category_names(names: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = _text(name, "categories", NAME_LIMIT, required=False)
        if name and name not in cleaned:
            cleaned.append(name)
    if not cleaned:
        raise InvalidInput(_("Give at least one category."), field="categories")
    if len(cleaned) > MAX_CATEGORIES:
        raise InvalidInput(
            _("At most %(n)d categories.") % {"n": MAX_CATEGORIES}, field="categories"
        )
    return cleaned


@transaction.atomic
def create_selection(
    *,
    actor: Any,
    unit: OrgUnit,
    data: SelectionData,
    categories: Sequence[str],
    now: dt.datetime | None = None,
) -> Selection:
    """A new selection of `unit` (a district, street or community) in draft, with its
    categories; its first log row."""
    _require(actor, unit.code)
    if unit.kind not in SELECTION_UNIT_KINDS:
        raise InvalidInput(
            _("A selection belongs to a district, a street or a community."), field="unit"
        )
    fields = _checked(data)
    names = _category_names(categories)
    now = _now(now)
    selection = Selection.objects.create(
        unit=unit, created_by=actor, created_at=now, version=1, **fields
    )
    Category.objects.bulk_create(
        Category(selection=selection, name=name, position=i) for i, name in enumerate(names)
    )
    SELECTIONS.start(selection, A.CREATE, actor=actor, now=now)
    return selection


@transaction.atomic
def update_selection(
    *, actor: Any, selection: Selection, data: SelectionData, categories: Sequence[str]
) -> Selection:
    """Change a selection's title, periods and rule, and add or rename categories (by position).
    A category with nominations is never removed, nor is anything changed once the results are
    published or the selection is cancelled."""
    locked = Selection.objects.select_for_update().select_related("unit").get(pk=selection.pk)
    _require(actor, locked.unit_code)
    if locked.status in (S.CLOSED, S.CANCELLED):
        raise Conflict(_("This selection is over: it can no longer be changed."))
    fields = _checked(data)
    if locked.status in (S.VOTING, S.COUNTING) and fields["vote_rule"] != locked.vote_rule:
        raise Conflict(
            _("Votes were cast under the rule chosen: it cannot change now."), field="vote_rule"
        )
    names = _category_names(categories)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    existing = list(locked.categories.all())
    for i, name in enumerate(names):
        if i < len(existing):
            if existing[i].name != name:
                existing[i].name = name
                existing[i].save(update_fields=["name"])
        else:
            Category.objects.create(selection=locked, name=name, position=i)
    for extra in existing[len(names) :]:
        if extra.nominations.exists():
            raise Conflict(
                _("The category %(name)s has nominations: it cannot be removed.")
                % {"name": extra.name},
                field="categories",
            )
        extra.delete()
    return locked


def _step(
    action: str, *, actor: Any, selection: Selection, now: dt.datetime | None = None, note: str = ""
) -> Selection:
    return SELECTIONS.run(selection, action, actor=actor, now=_now(now), note=note)


def open_nominations(*, actor: Any, selection: Selection, now=None) -> Selection:
    return _step(A.OPEN_NOMINATIONS, actor=actor, selection=selection, now=now)


def close_nominations(*, actor: Any, selection: Selection, now=None) -> Selection:
    return _step(A.CLOSE_NOMINATIONS, actor=actor, selection=selection, now=now)


def open_voting(*, actor: Any, selection: Selection, now=None) -> Selection:
    """Voting opens once every nomination is reviewed and there is a candidate."""
    nominations = Nomination.objects.filter(selection_id=selection.pk)
    if nominations.filter(status=N.SUBMITTED).exists():
        raise Conflict(_("Review every nomination before voting opens."))
    if not nominations.filter(status=N.APPROVED).exists():
        raise Conflict(_("Approve at least one candidate before voting opens."))
    return _step(A.OPEN_VOTING, actor=actor, selection=selection, now=now)


def close_voting(*, actor: Any, selection: Selection, now=None) -> Selection:
    return _step(A.CLOSE_VOTING, actor=actor, selection=selection, now=now)


def publish_results(*, actor: Any, selection: Selection, now=None) -> Selection:
    def change(row: Selection, moment: dt.datetime) -> None:
        row.published_at = moment

    return SELECTIONS.run(selection, A.PUBLISH, actor=actor, now=_now(now), change=change)


def cancel_selection(*, actor: Any, selection: Selection, reason: str, now=None) -> Selection:
    reason = _text(reason, "reason", TEXT_LIMIT, label=_("Reason"))
    return _step(A.CANCEL, actor=actor, selection=selection, now=now, note=reason)


# ---- nominations -------------------------------------------------------------------------------


def takes_nominations(selection: Selection, now: dt.datetime | None = None) -> bool:
    """Whether the selection is nominating and within its nomination period."""
    now = now or timezone.now()
    return (
        selection.status == S.NOMINATING
        and selection.nominations_open_at <= now < selection.nominations_close_at
    )


def _taking_nominations(selection: Selection, now: dt.datetime) -> None:
    if not takes_nominations(selection, now):
        raise Conflict(_("This selection is not taking nominations now."))


@transaction.atomic
def nominate(
    *,
    actor: Any,
    selection: Selection,
    category: Category,
    name: str,
    story: str,
    nominator: str = "",
    phone: str = "",
    photos: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Nomination:
    """A nomination in `category`, while the selection takes nominations. Staff (logged in,
    `actor`) enter one as themselves; a resident (`actor` None) gives their name and the phone
    the caller had them prove with a code (the view: `messaging.check_code`)."""
    now = _now(now)
    if actor is not None:
        _require(actor, selection.unit_code)
    if category.selection_id != selection.pk:
        raise InvalidInput(_("Choose one of the selection's categories."), field="category")
    _taking_nominations(selection, now)
    fields = {
        "name": _text(name, "name", NAME_LIMIT, label=_("Nominee")),
        "story": _text(story, "story", settings.SELECTION_STORY_LIMIT, label=_("Story")),
        "nominator": _text(
            nominator, "nominator", NAME_LIMIT, required=actor is None, label=_("Your name")
        ),
    }
    checked = ""
    if actor is None or phone:
        checked = privacy.clean_phone(phone)
    uploads = [upload for upload in photos if upload]
    if len(uploads) > settings.SELECTION_PHOTOS:
        raise InvalidInput(
            _("At most %(n)d photos at a time.") % {"n": settings.SELECTION_PHOTOS}, field="photos"
        )
    read = read_photos(uploads)
    nomination = Nomination(
        selection=selection,
        unit=selection.unit,
        category=category,
        submitted_by=actor if actor is not None else None,
        submitted_at=now,
        version=1,
        **fields,
    )
    NOMINATOR_PHONE.write(nomination, checked)
    nomination.save()
    for photo in read:
        NominationPhoto.objects.create(
            nomination=nomination, image=photo.content, width=photo.width, height=photo.height
        )
    NOMINATIONS.start(nomination, NominationAction.SUBMIT, actor=actor, now=now)
    return nomination


def _reviewable(nomination: Nomination) -> None:
    if nomination.selection.status not in REVIEWABLE:
        raise Conflict(_("Nominations are reviewed only until voting opens."))


def approve_nomination(*, actor: Any, nomination: Nomination, now=None) -> Nomination:
    """The nominee becomes a candidate, with a count of no votes."""

    def change(row: Nomination, moment: dt.datetime) -> None:
        _reviewable(row)
        row.reviewed_at = moment
        row.reason = ""
        Tally.objects.get_or_create(nomination=row)

    return NOMINATIONS.run(
        nomination, NominationAction.APPROVE, actor=actor, now=_now(now), change=change
    )


def reject_nomination(*, actor: Any, nomination: Nomination, reason: str, now=None) -> Nomination:
    reason = _text(reason, "reason", TEXT_LIMIT, label=_("Reason"))

    def change(row: Nomination, moment: dt.datetime) -> None:
        _reviewable(row)
        row.reviewed_at = moment
        row.reason = reason

    return NOMINATIONS.run(
        nomination, NominationAction.REJECT, actor=actor, now=_now(now), change=change, note=reason
    )


# ---- voters and votes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """A phone proved with a code: its keyed hash (what a vote keeps) and its masked form."""

    phone_hash: str
    masked: str


def voter_for(phone: str) -> Voter:
    """The `Voter` of a phone number (checked), without proving it: for the caller that has."""
    phone = privacy.clean_phone(phone)
    return Voter(privacy.PHONE.index(phone), privacy.PHONE.mask(phone))


def request_vote_code(*, phone: str, ip: str) -> Voter:
    """Send a code to `phone` for voting (messaging's code_ip and code_phone limits)."""
    message = messaging.request_code(phone=phone, purpose=CodePurpose.VOTE, ip=ip)
    return Voter(message.recipient_hash, message.recipient_masked)


def verify_voter(*, phone: str, code: str, ip: str, device: str) -> Voter:
    """Accept the phone's vote code once. Wrong codes count against the code (a few burn it:
    VERIFICATION_CODE_TRIES) and against the address (vote_guess_ip, counted on failure);
    a device proves at most vote_device_phone phones a day. Call outside a transaction."""
    limits.check("vote_guess_ip", ip, field="code")
    voter = voter_for(phone)
    try:
        messaging.check_code(phone=phone, purpose=CodePurpose.VOTE, code=code)
    except InvalidInput:
        limits.hit("vote_guess_ip", ip, field="code")
        raise
    limits.hit("vote_device_phone", device, field="phone")
    return voter


def slot_for(selection: Selection, now: dt.datetime) -> str:
    """The vote's slot: the local day (one vote a day) or "all" (one for the selection)."""
    if selection.vote_rule == VoteRule.ONCE:
        return "all"
    return timezone.localdate(now).isoformat()


def _voting(selection: Selection, now: dt.datetime) -> None:
    if selection.status != S.VOTING or not (
        selection.voting_open_at <= now < selection.voting_close_at
    ):
        raise Conflict(_("Voting is not open now."))


def _already(selection: Selection) -> Conflict:
    if selection.vote_rule == VoteRule.ONCE:
        message = _("This phone has already voted in this category of the selection.")
    else:
        message = _("This phone has already voted in this category today. Come back tomorrow.")
    return Conflict(message, field="vote")


def cast_vote(
    *,
    selection: Selection,
    nomination: Nomination,
    voter: Voter,
    ip: str,
    device: str,
    now: dt.datetime | None = None,
) -> Vote:
    """One vote for an approved candidate of `selection`, by a phone proved with a code.

    Limited per address (vote_ip) and per device (vote_device); refused outside the voting
    period and when the phone already voted in the category in this slot. The candidate's
    count grows in the same transaction; patterns of many votes are flagged for staff."""
    now = _now(now)
    if not voter.phone_hash:
        raise InvalidInput(_("Prove your phone with a code first."), field="phone")
    if not device:
        raise InvalidInput(_("Your browser must accept cookies to vote."), field="device")
    if nomination.selection_id != selection.pk or nomination.status != N.APPROVED:
        raise InvalidInput(_("Choose one of the candidates."), field="nomination")
    _voting(selection, now)
    limits.hit("vote_ip", ip)
    limits.hit("vote_device", device)
    ip_hash = privacy.blind_index(f"vote-ip:{ip}") if ip else ""
    device_hash = privacy.blind_index(f"vote-device:{device}")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                selection=selection,
                category_id=nomination.category_id,
                nomination=nomination,
                phone_hash=voter.phone_hash,
                ip_hash=ip_hash,
                device_hash=device_hash,
                slot=slot_for(selection, now),
                at=now,
            )
            Tally.objects.filter(nomination=nomination).update(votes=F("votes") + 1)
            _flag(selection, vote)
    except IntegrityError:
        raise _already(selection) from None
    return vote


def _open_flag(
    selection: Selection, kind: str, key: str, since: dt.datetime, until: dt.datetime, **extra: Any
) -> Anomaly:
    flag = (
        Anomaly.objects.select_for_update()
        .filter(selection=selection, kind=kind, key=key, outcome=Outcome.OPEN)
        .first()
    )
    if flag is None:
        return Anomaly.objects.create(
            selection=selection, kind=kind, key=key, since=since, until=until, **extra
        )
    flag.since = min(flag.since, since)
    flag.until = max(flag.until, until)
    flag.save(update_fields=["since", "until"])
    return flag


def _flag(selection: Selection, vote: Vote) -> None:
    """Flag the patterns `vote` completes (settings.SELECTION_*): a burst from its address,
    too many phones from its device, a surge for its candidate. Flags never refuse a vote."""
    votes = Vote.objects.filter(selection=selection, voided_at=None)
    count, seconds = settings.SELECTION_IP_BURST
    if vote.ip_hash and count > 0:
        window = vote.at - dt.timedelta(seconds=seconds)
        burst = votes.filter(ip_hash=vote.ip_hash, at__gte=window, at__lte=vote.at)
        if burst.count() > count:
            first = burst.order_by("at").values_list("at", flat=True).first() or vote.at
            _open_flag(selection, AnomalyKind.IP_BURST, vote.ip_hash, first, vote.at)
    most = settings.SELECTION_DEVICE_PHONES
    if most > 0:
        device = votes.filter(device_hash=vote.device_hash)
        if device.values("phone_hash").distinct().count() > most:
            first = device.order_by("at").values_list("at", flat=True).first() or vote.at
            _open_flag(selection, AnomalyKind.DEVICE_PHONES, vote.device_hash, first, vote.at)
    count, seconds = settings.SELECTION_CANDIDATE_SURGE
    if count > 0:
        window = vote.at - dt.timedelta(seconds=seconds)
        surge = votes.filter(nomination_id=vote.nomination_id, at__gte=window, at__lte=vote.at)
        if surge.count() > count:
            first = surge.order_by("at").values_list("at", flat=True).first() or vote.at
            _open_flag(
                selection,
                AnomalyKind.CANDIDATE_SURGE,
                str(vote.nomination_id),
                first,
                vote.at,
                nomination_id=vote.nomination_id,
            )


def flagged_votes(anomaly: Anomaly) -> Any:
    """The valid votes an anomaly points at."""
    key = {
        AnomalyKind.IP_BURST: Q(ip_hash=anomaly.key),
        AnomalyKind.DEVICE_PHONES: Q(device_hash=anomaly.key),
        AnomalyKind.CANDIDATE_SURGE: Q(nomination_id=anomaly.nomination_id),
    }[AnomalyKind(anomaly.kind)]
    return Vote.objects.filter(
        key,
        selection_id=anomaly.selection_id,
        at__gte=anomaly.since,
        at__lte=anomaly.until,
        voided_at=None,
    )


def void_votes(
    *, actor: Any, anomaly: Anomaly, reason: str, now: dt.datetime | None = None
) -> Anomaly:
    """Void the votes an open anomaly points at: each stops counting (its candidate's tally
    drops in the same transaction), the flag is closed, and the selection's log says how many
    votes were voided and why. Only while voting or counting."""
    reason = _text(reason, "reason", TEXT_LIMIT, label=_("Reason"))
    now = _now(now)
    with transaction.atomic():
        flag = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
        if flag.outcome != Outcome.OPEN:
            raise Conflict(_("This flag was reviewed already."))
        found = list(flagged_votes(flag).values_list("pk", "nomination_id"))
        per_candidate = Counter(nomination_id for _pk, nomination_id in found)

        def change(selection: Selection, moment: dt.datetime) -> None:
            Vote.objects.filter(pk__in=[pk for pk, _n in found]).update(
                voided_at=moment, voided_by=actor
            )
            for nomination_id, count in per_candidate.items():
                Tally.objects.filter(nomination_id=nomination_id).update(votes=F("votes") - count)
            flag.outcome, flag.voided = Outcome.VOIDED, len(found)
            flag.reviewed_by, flag.reviewed_at = actor, moment
            flag.save(update_fields=["outcome", "voided", "reviewed_by", "reviewed_at"])

        SELECTIONS.run(
            flag.selection_id,
            A.VOID_VOTES,
            actor=actor,
            now=now,
            note=reason,
            change=change,
            details={"anomaly": flag.pk, "kind": flag.kind, "votes": len(found)},
        )
    return flag


@transaction.atomic
def dismiss_anomaly(*, actor: Any, anomaly: Anomaly, now: dt.datetime | None = None) -> Anomaly:
    """The staff looked at a flag and found nothing wrong: its votes stay counted."""
    flag = Anomaly.objects.select_for_update().select_related("selection").get(pk=anomaly.pk)
    _require(actor, flag.selection.unit_code)
    if flag.outcome != Outcome.OPEN:
        raise Conflict(_("This flag was reviewed already."))
    flag.outcome, flag.reviewed_by, flag.reviewed_at = Outcome.DISMISSED, actor, _now(now)
    flag.save(update_fields=["outcome", "reviewed_by", "reviewed_at"])
    return flag


# ---- the recount -------------------------------------------------------------------------------


def check_tallies(selection: Selection | None = None) -> list[str]:
    """Each candidate whose kept count differs from a recount of its valid votes (empty when
    every count is right)."""
    tallies = Tally.objects.all()
    votes = Vote.objects.filter(voided_at=None)
    if selection is not None:
        tallies = tallies.filter(nomination__selection=selection)
        votes = votes.filter(selection=selection)
    counted = Counter(votes.values_list("nomination_id", flat=True))
    wrong = [
        f"candidate {tally.nomination_id}: kept {tally.votes}, "
        f"counted {counted[tally.nomination_id]}"
        for tally in tallies
        if tally.votes != counted[tally.nomination_id]
    ]
    kept = set(tallies.values_list("nomination_id", flat=True))
    wrong += [f"candidate {pk}: votes without a tally" for pk in set(counted) - kept]
    return wrong
