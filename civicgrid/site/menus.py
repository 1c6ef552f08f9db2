"""The one place that says which pages each role is offered (issue 14).

`MENU` lists every entry of the navigation with a predicate on who the user is (`Who`: their
roles from org.scoping's postings, whether the login is a volunteer's or a party member's).
base.html renders `menu_for(user)`; each role sees only the pages it may open, so the menu
never leads to a 403 or a 404 (site/tests/test_menus.py opens every link as every role).
On a phone the first entries of the role's `TABS` sit in a bottom tab bar, the rest under
"More".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.accounts.services import GIVES
from civicgrid.assessment.roles import READER_ROLES, WORKER_ROLES
from civicgrid.events.roles import DISPATCH_ROLES, GRID_ROLES, WRITING_ROLES
from civicgrid.mediation.roles import DESK_ROLES
from civicgrid.org.roles import Role
from civicgrid.org.scoping import postings_of_user, sees_everything
from civicgrid.routing.roles import READERS as ROUTING_READERS
from civicgrid.selections.roles import STAFF_ROLES as SELECTION_ROLES

STAFF_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
# Those who keep the residents' ledgers (提户知人, buildings, visits).
LEDGER_ROLES = STAFF_ROLES | GRID_ROLES
# Who makes accounts for the units below them (入网入格): accounts/services.py.
ACCOUNT_ROLES = frozenset(GIVES)


@dataclass(frozen=True)
class Who:
    """What the menu needs to know about a user, read once per request."""

    superuser: bool
    postings: tuple[tuple[str, str], ...]
    volunteer: bool = False
    party_member: bool = False
    member_unit: bool = False
    partner: bool = False
    mediator: bool = False
    staff: bool = False

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _code, role in self.postings)

    def holds(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    def code_for(self, roles: frozenset[str]) -> str | None:
        """The unit code of the user's first posting with one of `roles`."""
        for code, role in self.postings:
            if role in roles:
                return code
        return None

    @property
    def kind(self) -> str:
        """The persona whose tab bar and home page the user gets (the widest role first)."""
        if self.superuser:
            return "superuser"
        roles = self.roles
        for persona, among in PERSONAS:
            if roles & among:
                return persona
        if self.party_member:
            return "party_member"
        if self.member_unit:
            return "member_unit"
        if self.partner:
            return "partner"
        if self.mediator:
            return "mediator"
        if self.volunteer:
            return "volunteer"
        return "nobody"


PERSONAS: list[tuple[str, frozenset[str]]] = [
    ("district", frozenset({Role.DISTRICT_STAFF})),
    ("street", frozenset({Role.STREET_STAFF})),
    ("community", frozenset({Role.COMMUNITY_STAFF})),
    ("grid", GRID_ROLES),
    ("department", frozenset({Role.DEPARTMENT_HANDLER})),
    ("leader", frozenset({Role.LEADER_READONLY})),
]


def who_is(user: Any) -> Who:
    """The user's `Who`. Postings come from org.scoping's per-request cache; whether the login
    is a volunteer's or a party member's is asked only of a login with no posting (the reverse
    one-to-one accessors cache on the user, so a page that read them already pays nothing)."""
    if sees_everything(user):
        return Who(superuser=True, postings=(), staff=user.is_staff)
    postings = postings_of_user(user)
    if postings:
        return Who(superuser=False, postings=postings, staff=user.is_staff)
    volunteer = getattr(user, "volunteer", None)
    party_member = getattr(user, "party_member", None) is not None
    # A member unit's or a partner's login is asked about only when it is neither of those,
    # and a mediator's only when it is none of them.
    other = volunteer is None and not party_member
    member_unit = other and getattr(user, "member_unit", None) is not None
    partner = other and getattr(user, "community_partner", None) is not None
    mediator = (
        getattr(user, "mediator", None) if other and not member_unit and not partner else None
    )
    return Who(
        superuser=False,
        postings=(),
        volunteer=volunteer is not None and volunteer.active,
        party_member=party_member,
        member_unit=member_unit,
        partner=partner,
        mediator=mediator is not None and mediator.active,
        staff=user.is_staff,
    )


def _roles(*roles: str | frozenset[str]) -> Callable[[Who], bool]:
    wanted: frozenset[str] = frozenset()
    for role in roles:
        wanted |= role if isinstance(role, frozenset) else frozenset({role})
    return lambda who: who.holds(wanted)


def _may_report(who: Who) -> bool:
    """events.services.may_report, from what `Who` holds: a writing role, or no posting."""
    return not who.postings or who.holds(WRITING_ROLES)


@dataclass(frozen=True)
class Entry:
    key: str
    label: Promise
    url_name: str
    shows: Callable[[Who], bool]
    # The url takes the code of the user's first posting with one of these roles.
    unit_roles: frozenset[str] | None = None
    anchor: str = ""
    # Views ("namespace:name", or "namespace:" for a whole app) that mark the entry current.
    current: tuple[str, ...] = ()
    # A page of the login's own volunteer or party member: not offered to a superuser.
    personal: bool = False

    def url(self, who: Who) -> str:
        if self.unit_roles is None:
            return reverse(self.url_name) + self.anchor
        code = who.code_for(self.unit_roles)
        return reverse(self.url_name, args=[code]) + self.anchor


_ANY: Callable[[Who], bool] = lambda who: True  # noqa: E731

MENU: list[Entry] = [
    Entry("home", _("Home"), "home", _ANY, current=("home",)),
    Entry(
        "tasks",
        _("My tasks"),
        "events:tasks",
        _roles(STAFF_ROLES, GRID_ROLES),
        current=("events:tasks",),
    ),
    Entry(
        "report", _("Report a problem"), "events:report", _may_report, current=("events:report",)
    ),
    Entry("patrol", _("Patrol"), "events:tasks", _roles(GRID_ROLES), anchor="#patrol"),
    Entry("notes", _("Quick notes"), "events:tasks", _roles(GRID_ROLES), anchor="#notes"),
    # Per-worker figures (assessment): a grid worker's own, and the rankings staff may read.
    Entry(
        "my_figures",
        _("My workload"),
        "assessment:figures_mine",
        _roles(WORKER_ROLES),
        current=("assessment:figures_worker",),
        personal=True,
    ),
    Entry(
        "worker_figures",
        _("Workers' figures"),
        "assessment:figures_rankings",
        _roles(READER_ROLES),
        current=("assessment:figures_ranking",),
    ),
    # ---- the leader cockpit (issue 19): every module's figures for one unit, the big screen ----
    Entry(
        "overview",
        _("Overview"),
        "cockpit:overview_home",
        _roles(STAFF_ROLES, Role.GRID_LEADER, Role.LEADER_READONLY),
        current=("cockpit:overview_home", "cockpit:overview", "cockpit:unit_map"),
    ),
    Entry(
        "reports",
        pgettext_lazy("report", "Reports"),
        "cockpit:report_list",
        _roles(STAFF_ROLES, Role.LEADER_READONLY),
        unit_roles=STAFF_ROLES | {Role.LEADER_READONLY},
        current=("cockpit:report_list",),
    ),
    Entry(
        "people",
        _("Find a resident"),
        "people:home",
        _roles(LEDGER_ROLES),
        current=("people:home",),
    ),
    Entry(
        "visits",
        _("Home visits"),
        "people:unit_home",
        _roles(LEDGER_ROLES),
        current=("people:unit_home", "people:unit", "people:household", "people:building"),
    ),
    Entry(
        "board",
        _("Events"),
        "events:board_home",
        _roles(DISPATCH_ROLES),
        current=("events:board_home", "events:board"),
    ),
    Entry(
        "inbox",
        _("Inbox"),
        "events:inbox",
        _roles(Role.DEPARTMENT_HANDLER),
        current=("events:inbox",),
    ),
    Entry(
        "dashboard",
        _("Four rates"),
        "events:dashboard_home",
        _roles(STAFF_ROLES, Role.GRID_LEADER, Role.LEADER_READONLY),
        current=("events:dashboard_home", "events:dashboard"),
    ),
    Entry(
        "event_map",
        _("Event map"),
        "events:map",
        _roles(STAFF_ROLES, GRID_ROLES, Role.DEPARTMENT_HANDLER),
        current=("events:map",),
    ),
    Entry("classes", _("Classes"), "classes:home", _roles(STAFF_ROLES), current=("classes:",)),
    Entry(
        "class_figures",
        _("Class figures"),
        "classes:figures",
        lambda who: not who.superuser and who.roles == {Role.LEADER_READONLY},
        unit_roles=frozenset({Role.LEADER_READONLY}),
        current=("classes:figures",),
    ),
    Entry("party", _("Party"), "party:home", _roles(STAFF_ROLES), current=("party:",)),
    Entry(
        "community",
        _("Community services"),
        "community:home",
        _roles(STAFF_ROLES),
        current=("community:", "alliances:"),
    ),
    Entry(
        "community_figures",
        _("Community figures"),
        "community:figures",
        lambda who: not who.superuser and who.roles == {Role.LEADER_READONLY},
        unit_roles=frozenset({Role.LEADER_READONLY}),
        current=("community:figures",),
    ),
    # ---- mediation (issue 17) ----
    Entry(
        "mediation",
        _("Mediation"),
        "mediation:board",
        # Who keeps a mediation desk is mediation's to say (mediation/roles.py).
        _roles(DESK_ROLES),
        unit_roles=DESK_ROLES,
        current=("mediation:",),
    ),
    Entry(
        "mediation_figures",
        _("Mediation figures"),
        "mediation:figures",
        lambda who: not who.superuser and who.roles == {Role.LEADER_READONLY},
        unit_roles=frozenset({Role.LEADER_READONLY}),
        current=("mediation:figures",),
    ),
    Entry(
        # A superuser has no posting whose unit the board could take: /mediation/ opens the
        # board of the first unit at the top of the tree.
        "mediation_all",
        _("Mediation"),
        "mediation:home",
        lambda who: who.superuser,
        current=("mediation:",),
    ),
    Entry(
        "my_cases",
        _("My cases"),
        "mediation:home",
        lambda who: who.mediator,
        current=("mediation:",),
        personal=True,
    ),
    # ---- selections (评选) ----
    Entry(
        "selections",
        _("Selections"),
        "selections:home",
        # Who runs selections is selections' to say (selections/roles.py); a superuser too.
        lambda who: who.superuser or who.holds(SELECTION_ROLES),
        current=("selections:",),
    ),
    # ---- assessment (issue 18): plans for assessors and readers, my own for grid workers ----
    Entry(
        "assessment",
        _("Assessment"),
        "assessment:plans",
        _roles(READER_ROLES),
        current=(
            "assessment:plans",
            "assessment:new_plan",
            "assessment:plan",
            "assessment:edit_plan",
            "assessment:entries",
            "assessment:appeals",
            "assessment:plan_honours",
            "assessment:check",
            "assessment:check_grid",
            "assessment:check_cross",
            "assessment:inspections",
            "assessment:inspection_new",
            "assessment:quiz_setup",
            "assessment:quiz_results",
            "assessment:quiz_bank",
            "assessment:quiz_question_new",
            "assessment:quiz_question_edit",
            "assessment:quiz_import",
        ),
    ),
    Entry(
        "my_assessment",
        _("My assessment"),
        "assessment:mine",
        _roles(WORKER_ROLES),
        current=(
            "assessment:mine",
            "assessment:file_appeal",
            "assessment:quiz_mine",
            "assessment:quiz_paper",
            "assessment:quiz_start",
        ),
        personal=True,
    ),
    Entry(
        "volunteers",
        _("Volunteer services"),
        "volunteers:home",
        _roles(STAFF_ROLES),
        current=("volunteers:home", "volunteers:unit", "volunteers:order", "volunteers:volunteer"),
    ),
    Entry(
        "my_orders",
        _("My service orders"),
        "volunteers:mine",
        lambda who: who.volunteer,
        current=("volunteers:mine",),
        personal=True,
    ),
    Entry(
        "my_party",
        _("My party page"),
        "party:me",
        lambda who: who.party_member,
        current=("party:me",),
        personal=True,
    ),
    Entry(
        "party_tasks",
        _("Community tasks"),
        "community:my_tasks",
        lambda who: who.party_member or who.member_unit,
        current=("community:my_tasks",),
        personal=True,
    ),
    Entry(
        "my_partner",
        _("Our partner page"),
        "community:my_partner",
        lambda who: who.partner,
        current=("community:partner",),
        personal=True,
    ),
    Entry(
        "accounts",
        _("Accounts"),
        "site:accounts",
        _roles(ACCOUNT_ROLES),
        current=("site:accounts",),
    ),
    Entry(
        "screens",
        _("Big screens"),
        "cockpit:screens_home",
        _roles(STAFF_ROLES),
        current=("cockpit:screens_home", "cockpit:screen_links"),
    ),
    Entry(
        "service_points",
        _("Service points"),
        "cockpit:service_points",
        _roles(STAFF_ROLES, Role.GRID_LEADER),
        current=(
            "cockpit:service_points",
            "cockpit:service_point_new",
            "cockpit:service_point_edit",
        ),
    ),
    Entry("tree", _("Org tree"), "org:tree", _roles(STAFF_ROLES), current=("org:tree", "org:unit")),
    Entry("map", _("Map"), "org:map", _roles(STAFF_ROLES, GRID_ROLES), current=("org:map",)),
    # ---- history import and category mapping (issue 16, interop) ----
    Entry(
        "history_import",
        _("Import history"),
        "interop:history",
        _roles(Role.DISTRICT_STAFF),
        unit_roles=frozenset({Role.DISTRICT_STAFF}),
        current=("interop:history", "interop:history_job"),
    ),
    Entry(
        "category_mappings",
        _("Category mapping"),
        "interop:mappings",
        _roles(Role.DISTRICT_STAFF),
        current=("interop:mappings",),
    ),
    # Suggested category and department (issue 20): how well the models do, roll-back.
    Entry(
        "routing",
        pgettext_lazy("routing", "Routing"),
        "routing:models",
        _roles(ROUTING_READERS),
        current=("routing:models", "routing:model"),
    ),
    # Messages to the 12345 hotline and other connected systems: failures to see and send again.
    Entry(
        "outbox",
        _("Outbox to other systems"),
        "interop:outbox",
        _roles(DISPATCH_ROLES),
        current=("interop:outbox",),
    ),
    # Files of the exports made in the background (issue 19): progress and download.
    Entry(
        "exports",
        _("My exports"),
        "cockpit:export_jobs",
        _roles(STAFF_ROLES, Role.GRID_LEADER, Role.LEADER_READONLY),
        current=("cockpit:export_jobs", "cockpit:export_job"),
    ),
    Entry(
        "notifications",
        _("Messages"),
        "site:notifications",
        _ANY,
        current=("site:notifications",),
    ),
    Entry("admin", _("Admin"), "admin:index", lambda who: who.staff, current=("admin:",)),
]

# The entries in the phone's bottom tab bar, per persona (those the user may not open drop out).
TABS: dict[str, list[str]] = {
    "superuser": ["home", "board", "dashboard", "people", "notifications"],
    "district": ["home", "overview", "board", "dashboard", "notifications"],
    "street": ["home", "board", "dashboard", "people", "notifications"],
    "community": ["home", "board", "tasks", "people", "notifications"],
    "grid": ["home", "tasks", "report", "people", "notifications"],
    "department": ["home", "inbox", "event_map", "notifications"],
    "leader": ["home", "overview", "dashboard", "class_figures", "community_figures"],
    "volunteer": ["home", "my_orders", "report", "notifications"],
    "party_member": ["home", "my_party", "party_tasks", "notifications"],
    "member_unit": ["home", "party_tasks", "report", "notifications"],
    "partner": ["home", "my_partner", "report", "notifications"],
    "mediator": ["my_cases", "home", "report", "notifications"],
    "nobody": ["home", "report", "notifications"],
}


@dataclass
class Link:
    key: str
    label: Promise
    url: str
    current: bool


@dataclass
class Menu:
    who: Who
    links: list[Link] = field(default_factory=list)
    tabs: list[Link] = field(default_factory=list)
    more: list[Link] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [link.key for link in self.links]


def _is_current(entry: Entry, view: str) -> bool:
    return any(
        view == name or (name.endswith(":") and view.startswith(name)) for name in entry.current
    )


def menu_for(user: Any, view: str = "") -> Menu:
    """The entries `user` may open, in menu order; `view` ("namespace:name") marks the current
    one. The tabs are the persona's main entries, `more` the others."""
    who = who_is(user)
    if who.superuser:
        # Everything, except what needs a posting's unit code or a linked volunteer/member.
        visible = [e for e in MENU if e.unit_roles is None and not e.personal]
    else:
        visible = [entry for entry in MENU if entry.shows(who)]
    links: list[Link] = []
    marked = False
    for entry in visible:
        current = not marked and bool(view) and _is_current(entry, view)
        marked = marked or current
        links.append(Link(entry.key, entry.label, entry.url(who), current))
    by_key = {link.key: link for link in links}
    tabs = [by_key[key] for key in TABS[who.kind] if key in by_key]
    tab_keys = {link.key for link in tabs}
    more = [link for link in links if link.key not in tab_keys]
    return Menu(who, links, tabs, more)
