"""Personal data at rest (PIPL): encryption with keys from the environment, and masking.

Phone and ID numbers are stored only as Fernet tokens; pages show them masked.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet_key(secret: str) -> bytes:
    # Any configured string becomes a valid 32-byte Fernet key.
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@cache
def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in settings.DATA_KEYS])


def encrypt(value: str) -> str:
    """A token for `value` ("" stays ""): the newest key encrypts, every key decrypts."""
    if not value:
        return ""
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        # A row written under a key that is no longer configured: say so, never crash a page.
        return "?"


def blind_index(value: str) -> str:
    """A keyed hash of `value` so equal values can be found without decrypting every row."""
    key = _fernet_key("blind-index:" + settings.DATA_KEYS[-1])
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
