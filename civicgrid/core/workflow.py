"""The one workflow engine every state machine runs on.

An app describes a machine in its `workflow.py`: the model, its step log (a concrete subclass of
`StepLog`), and a table of `Transition`s — for each action, the statuses it may start from, the
status it leads to and who may take it. It registers the machine here (`register`), and its
services move rows only through `Machine.run`, which in one transaction:

1. locks the row alone (`SELECT … FOR UPDATE`; rows joined to it are read afterwards, because
   after waiting for a lock PostgreSQL re-reads the locked row but not the rows joined to it);
2. checks the version the caller read (where the model keeps one), the table and the actor;
3. applies the service's change with an explicit `now`, sets the status from the table;
4. appends the immutable log row (who, when, from, to, note, details);
5. runs the app's counters (rollups) for the change.

An illegal or stale step raises `Conflict` (409 in the API, a message on pages); a step the
actor may not take raises `NotAllowed` (403). The registry lets one property test walk every
machine (`check` states the invariants) and renders each machine as a diagram (`diagram`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import Conflict, NotAllowed

M = TypeVar("M", bound=models.Model)

# who(actor, row, extra) → may the actor take the step on the row? `extra` carries what only
# the request knows (a tracking token, whether the browser is the reporting one).
Who = Callable[[Any, Any, Mapping[str, Any]], bool]


def anyone(actor: Any, row: Any, extra: Mapping[str, Any]) -> bool:
    return True


def system(actor: Any, row: Any, extra: Mapping[str, Any]) -> bool:
    """Steps only the system takes (deadlines, reminders): `actor` is None."""
    return actor is None


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # The status after the step; None: the status stays, unless `restores` is given, in which
    # case the step's change puts back one of those (resuming a suspended event).
    target: str | None
    who: Who
    restores: frozenset[str] = frozenset()

    def targets_from(self, source: str) -> frozenset[str]:
        if self.restores:
            return self.restores
        return frozenset({self.target or source})


def step(
    sources: Iterable[str], target: str | None, who: Who, *, restores: Iterable[str] = ()
) -> Transition:
    return Transition(frozenset(sources), target, who, frozenset(restores))


class StepLog(models.Model):
    """One immutable row per step of a machine: who, when, from, to, note, details.

    A concrete log adds the foreign key to its subject (named as `Machine.subject` says) and its
    Meta; `action` and the statuses take the app's choices through `choices=` there if wanted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("actor"),
    )
    action = models.CharField(gettext_lazy("action"), max_length=20)
    from_status = models.CharField(gettext_lazy("from"), max_length=20, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=20)
    note = models.TextField(gettext_lazy("note"), blank=True)
    # Machine-readable particulars: target unit, kind, answers…
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(gettext_lazy("at"))

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The log is append-only: a step once written is never changed.
        if self.pk is not None:
            raise ValueError("workflow steps are immutable")
        super().save(*args, **kwargs)


# counters(row) is called on the locked row before the change and returns the function to call
# with the changed row afterwards (e.g. a rollup snapshot's commit).
Counters = Callable[[Any], Callable[[Any], None]]
Change = Callable[[Any, dt.datetime], None]
After = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Machine(Generic[M]):
    model: type[M]
    log: type[StepLog]
    subject: str  # the log's foreign key to the row
    transitions: Mapping[Any, Transition]  # action (a str, or the app's TextChoices) → step
    statuses: type[models.TextChoices]
    actions: type[models.TextChoices] | None = None
    status_field: str = "status"
    version_field: str | None = None
    # Rows joined when locking (read in the same statement, never locked).
    related: tuple[str, ...] = ()
    counters: Counters | None = None
    # A more precise message for a refused step (e.g. who took the order first), or None.
    explain: Callable[[M, str], str | None] | None = None
    # Actions that create a row (their log row has no `from`).
    creations: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.model._meta.label

    def label(self, action: str) -> str:
        if self.actions is not None and action in self.actions.values:
            return str(self.actions(action).label)
        return action

    def status_label(self, status: str) -> str:
        return str(self.statuses(status).label) if status in self.statuses.values else status

    def status_of(self, row: M) -> str:
        return str(getattr(row, self.status_field))

    def allowed(self, actor: Any, row: M, extra: Mapping[str, Any] | None = None) -> list[str]:
        """The actions `actor` may take on `row` now (for buttons; `run` checks again)."""
        status = self.status_of(row)
        return [
            action
            for action, transition in self.transitions.items()
            if status in transition.sources
            and transition.who is not system
            and transition.who(actor, row, extra or {})
        ]

    def may(self, actor: Any, row: M, action: str, extra: Mapping[str, Any] | None = None) -> bool:
        transition = self.transitions[action]
        return self.status_of(row) in transition.sources and transition.who(actor, row, extra or {})

    def start(
        self,
        row: M,
        action: str,
        *,
        actor: Any,
        now: dt.datetime,
        note: str = "",
        details: dict[str, Any] | None = None,
    ) -> Any:
        """Log the creation of `row` (already saved) as the first step of its machine; returns
        the app's log row (an instance of `log`)."""
        return self.log._default_manager.create(
            **{self.subject: row},
            actor=_user(actor),
            action=action,
            from_status="",
            to_status=self.status_of(row),
            note=plain_text(note),
            details=details or {},
            at=now,
        )

    def run(
        self,
        row: M | int,
        action: str,
        *,
        actor: Any,
        now: dt.datetime | None = None,
        version: int | None = None,
        note: str = "",
        details: dict[str, Any] | None = None,
        change: Change | None = None,
        extra: Mapping[str, Any] | None = None,
        after: After | None = None,
    ) -> M:
        """Take `action` on `row` (an instance or a primary key) and return the changed row.

        `change(row, now)` sets the step's fields on the locked row; it may raise the app's
        error, which rolls everything back. `after(row, log)` runs after the log row is written
        (photos of the step)."""
        transition = self.transitions[action]
        pk = row.pk if isinstance(row, models.Model) else row
        now = now or timezone.now()
        with transaction.atomic():
            locked = self._lock(pk)
            status = self.status_of(locked)
            if version is not None and self.version_field is not None:
                current = getattr(locked, self.version_field)
                if current != version:
                    raise Conflict(
                        _(
                            "This %(thing)s was changed by someone else meanwhile. "
                            "Reload it and try again."
                        )
                        % {"thing": self.model._meta.verbose_name},
                        field="version",
                        details={"version": current},
                    )
            if status not in transition.sources:
                message = self.explain(locked, action) if self.explain else None
                raise Conflict(
                    message
                    or _("This %(thing)s is %(status)s: the step “%(action)s” is not possible.")
                    % {
                        "thing": self.model._meta.verbose_name,
                        "status": self.status_label(status),
                        "action": self.label(action),
                    },
                    details={"status": status, "action": action},
                )
            if not transition.who(actor, locked, extra or {}):
                raise NotAllowed(
                    _("Your role does not allow the step “%(action)s” here.")
                    % {"action": self.label(action)}
                )
            commit = self.counters(locked) if self.counters else None
            if change is not None:
                change(locked, now)
            self._settle(locked, status, transition)
            if self.version_field is not None:
                setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            locked.save()
            log = self.log._default_manager.create(
                **{self.subject: locked},
                actor=_user(actor),
                action=action,
                from_status=status,
                to_status=self.status_of(locked),
                note=plain_text(note),
                details=details or {},
                at=now,
            )
            if after is not None:
                after(locked, log)
            if commit is not None:
                commit(locked)
            return locked

    def _lock(self, pk: Any) -> M:
        rows = self.model._default_manager.all()
        if self.related:
            rows = rows.select_related(*self.related).select_for_update(of=("self",))
        else:
            rows = rows.select_for_update()
        return rows.get(pk=pk)

    def _settle(self, row: M, source: str, transition: Transition) -> None:
        if transition.target is not None:
            setattr(row, self.status_field, transition.target)
            return
        now_status = self.status_of(row)
        if now_status not in transition.targets_from(source):
            # The table is the whole truth: a change that sets another status is a bug.
            raise RuntimeError(f"{self.name}: a step may not lead from {source} to {now_status}")

    def check(self, row: M) -> list[str]:
        """What is wrong with `row` and its log against the table (empty when all is well):
        the status is one of the machine's, the log is a chain from a creation through steps of
        the table to the current status, and the version counts the steps."""
        row.refresh_from_db()
        status = self.status_of(row)
        problems = []
        if status not in self.statuses.values:
            problems.append(f"status {status!r} is not one of the machine's")
        log = list(
            self.log._default_manager.filter(**{self.subject: row})
            .order_by("id")
            .values_list("action", "from_status", "to_status")
        )
        previous = None
        for index, (action, source, target) in enumerate(log):
            if index == 0 and source == "":
                if self.creations and action not in self.creations:
                    problems.append(f"log starts with {action}, not a creation")
            elif action not in self.transitions:
                problems.append(f"step {index} {action} is not in the table")
            else:
                transition = self.transitions[action]
                if source != previous:
                    problems.append(f"step {index} {action} starts from {source}, not {previous}")
                if source not in transition.sources:
                    problems.append(f"step {index} {action} may not start from {source}")
                if target not in transition.targets_from(source):
                    problems.append(f"step {index} {action} may not lead to {target}")
            previous = target
        if log and previous != status:
            problems.append(f"the log ends at {previous}, the row is {status}")
        version = self.version_field
        counted = version is not None and bool(log) and log[0][1] == ""
        if counted and version is not None and getattr(row, version) != len(log):
            problems.append("the version does not count the steps")
        return problems

    def diagram(self) -> str:
        """The machine as a Mermaid state diagram."""
        lines = ["stateDiagram-v2"]
        for action, transition in self.transitions.items():
            for source in sorted(transition.sources):
                for target in sorted(transition.targets_from(source)):
                    lines.append(f"    {source} --> {target}: {action}")
        return "\n".join(lines)


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


_machines: dict[str, Machine[Any]] = {}


def register(machine: Machine[M]) -> Machine[M]:
    """Add `machine` to the registry (from the app's `workflow.py`); returns it."""
    _machines[machine.name] = machine
    return machine


def machines() -> list[Machine[Any]]:
    """Every registered machine, by name."""
    autodiscover_modules("workflow")
    return [_machines[name] for name in sorted(_machines)]


def machine_for(model: type[models.Model] | str) -> Machine[Any]:
    name = model if isinstance(model, str) else model._meta.label
    autodiscover_modules("workflow")
    return _machines[name]
