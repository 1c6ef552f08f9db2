"""Types every app shares: who acts, and the user model, named without importing an app."""

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    # django-stubs' placeholder, which its mypy plugin reads as settings.AUTH_USER_MODEL
    # (accounts.User): a user can be stored in a user foreign key, and the kernel names no app.
    from django.contrib.auth.models import _User
else:
    from django.contrib.auth.base_user import AbstractBaseUser as _User

# The user model (accounts.User).
AuthUser: TypeAlias = _User

# Who acts: a user who logged in, an anonymous visitor, or no one (the system: a task, an
# import, the demo loader).
Actor: TypeAlias = AuthUser | AnonymousUser | None


def user_of(actor: Actor) -> AuthUser | None:
    """The user to record as having acted: None for the system or an anonymous visitor."""
    if actor is None or isinstance(actor, AnonymousUser):
        return None
    return actor
