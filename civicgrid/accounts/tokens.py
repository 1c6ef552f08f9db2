"""API tokens: made once, stored as a hash, looked up by hash."""

import hashlib
import secrets

from django.utils import timezone

from civicgrid.accounts.models import ApiToken, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, user: User, name: str, trusted_times: bool = False) -> tuple[ApiToken, str]:
    """A new token for `user` and its key (shown once; only the hash is kept). A token with
    `trusted_times` may give the times of what it reports through Open311 (a replay)."""
    key = "cg_" + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=_hash(key), trusted_times=trusted_times
    )
    return token, key


def user_for_key(key: str | None) -> User | None:
    """The active user behind an active key, or None."""
    token = token_for_key(key)
    return token.user if token is not None else None


def token_for_key(key: str | None) -> ApiToken | None:
    """The active token (with its active user) behind `key`, or None."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key.strip()), active=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
