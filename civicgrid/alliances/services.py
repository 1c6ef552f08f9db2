"""Every write to joint committees: member units, joint meetings and their resolutions.

A resolution becomes a task to claim in community (community.services.task_from_resolution):
community builds on the committees and their member units, never the other way round."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.alliances.models import (
    CommitteeKind,
    JointCommittee,
    JointMeeting,
    MeetingKind,
    MemberKind,
    MemberUnit,
    Resolution,
)
from civicgrid.core.errors import InvalidInput, choice, required
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import require
from civicgrid.party.roles import PARTY_ROLES


def _check_keeper(actor, code: str) -> None:
    """Committees are kept by those who keep the community's lists (party.selectors.may_keep)."""
    require(actor, code, PARTY_ROLES, _("You may not keep the joint committees here."))


@transaction.atomic
def save_committee(actor, *, unit: OrgUnit, name: str, kind: str) -> JointCommittee:
    _check_keeper(actor, unit.code)
    name = required(name, "name", _("Name"))[:100]
    if JointCommittee.objects.filter(unit=unit, name=name).exists():
        raise InvalidInput(_("This unit already has a committee of that name."), field="name")
    return JointCommittee.objects.create(
        unit=unit, name=name, kind=choice(kind, CommitteeKind, "kind")
    )


@transaction.atomic
def add_member_unit(
    actor,
    *,
    committee: JointCommittee,
    name: str,
    kind: str,
    contact: str = "",
    offer: str = "",
    organisation=None,
    joined_on: dt.date | None = None,
) -> MemberUnit:
    _check_keeper(actor, committee.unit_code)
    name = required(name, "name", _("Name"))[:100]
    if committee.members.filter(name=name).exists():
        raise InvalidInput(_("This unit is already a member."), field="name")
    return MemberUnit.objects.create(
        unit_id=committee.unit_id,
        unit_code=committee.unit_code,
        committee=committee,
        name=name,
        kind=choice(kind, MemberKind, "kind"),
        contact=contact.strip()[:40],
        offer=offer.strip()[:300],
        organisation=organisation,
        joined_on=joined_on or timezone.localdate(),
    )


@transaction.atomic
def record_meeting(
    actor,
    *,
    committee: JointCommittee,
    kind: str,
    held_on: dt.date,
    topic: str,
    attendees: Iterable[MemberUnit],
    minutes: str = "",
    resolutions: Iterable[str] = (),
) -> JointMeeting:
    """A joint meeting with the member units that came, the minutes and its resolutions."""
    _check_keeper(actor, committee.unit_code)
    held_on = required(held_on, "held_on", _("Held on"))
    if held_on > timezone.localdate():
        raise InvalidInput(_("A meeting is recorded after it is held."), field="held_on")
    attendees = list(attendees)
    if not attendees:
        raise InvalidInput(_("Tick the member units that attended."), field="attendees")
    if any(unit.committee_id != committee.pk for unit in attendees):
        raise InvalidInput(_("Only the committee's member units attend."), field="attendees")
    meeting = JointMeeting.objects.create(
        unit_id=committee.unit_id,
        unit_code=committee.unit_code,
        committee=committee,
        kind=choice(kind, MeetingKind, "kind"),
        held_on=held_on,
        topic=required(topic, "topic", _("Topic"))[:200],
        minutes=minutes.strip(),
        recorded_by=actor,
    )
    meeting.attendees.set(attendees)
    for text in resolutions:
        if text.strip():
            Resolution.objects.create(meeting=meeting, text=text.strip()[:300])
    return meeting
