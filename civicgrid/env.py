"""Typed readers for environment variables: every setting comes from here and fails loudly."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list:
    """Comma-separated addresses or networks ("127.0.0.1,10.0.0.0/8")."""
    import ipaddress

    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name, default)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def env_limits(name: str, default: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Rate limits "name=count/seconds,…" laid over `default`; count 0 turns a limit off."""
    limits = dict(default)
    for item in env_list(name, []):
        key, _, value = item.partition("=")
        if key.strip() not in default:
            raise ImproperlyConfigured(f"{name}: no limit is called {key.strip()!r}")
        count, _, seconds = value.partition("/")
        try:
            limits[key.strip()] = (int(count), int(seconds))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not name=count/seconds") from None
        if limits[key.strip()][1] <= 0:
            raise ImproperlyConfigured(f"{name}: {item!r} needs a window of 1 second or more")
    return limits


def local_secret(name: str, path: Path, nbytes: int = 50) -> str:
    """The variable `name`, or a random value generated once into the git-ignored file `path`.

    Development machines need no set-up; production sets the variable.
    """
    value = env_str(name)
    if value:
        return value
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()
