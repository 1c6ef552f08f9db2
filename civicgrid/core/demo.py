"""The demo district, loaded part by part: one registry of what each app adds to it.

Each app registers, in its AppConfig.ready, its part under its own name, with the parts it
builds on (core imports no app: the arrows point down). `manage.py load_demo` (site) runs
every part in an order where each comes after the ones it names. A part is registered by the
dotted path of its loader, imported only when the demo is loaded: a demo module pulls in
Faker, tqdm and the generators, which no web worker needs.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class Loader(Protocol):
    def __call__(self, district: str, *, progress: bool) -> str:
        """Add this part to district `district` (a progress bar when `progress`); returns
        the line that says what it added, "" when it added nothing (the district has it)."""
        ...


@dataclass(frozen=True)
class Part:
    name: str
    loader: str  # dotted path of a Loader
    after: tuple[str, ...]

    def load(self, district: str, *, progress: bool) -> str:
        loader: Loader = import_string(self.loader)
        return loader(district, progress=progress)


# name -> part, in the order of registration (INSTALLED_APPS), which breaks ties.
_PARTS: dict[str, Part] = {}


def register(name: str, loader: str, *, after: Iterable[str] = ()) -> None:
    """Register app `name`'s part of the demo, `loader` the dotted path of its Loader, to run
    after the parts named in `after`."""
    _PARTS[name] = Part(name, loader, tuple(after))


def parts() -> list[Part]:
    """Every registered part, each after those it names; among parts free to run, the one
    registered first. A name no part has, or parts waiting on each other, is an error."""
    for part in _PARTS.values():
        missing = [name for name in part.after if name not in _PARTS]
        if missing:
            raise ImproperlyConfigured(
                f"The demo part {part.name!r} comes after {missing}, which no app registered."
            )
    ordered: list[Part] = []
    done: set[str] = set()
    waiting = list(_PARTS.values())
    while waiting:
        ready = next((p for p in waiting if done.issuperset(p.after)), None)
        if ready is None:
            names = sorted(part.name for part in waiting)
            raise ImproperlyConfigured(f"The demo parts {names} wait on each other.")
        ordered.append(ready)
        done.add(ready.name)
        waiting.remove(ready)
    return ordered
