"""Personal data at rest (PIPL): encryption with keys from the environment, and masking.

Phone and ID numbers are stored only as Fernet tokens; pages show them masked.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.core.errors import InvalidInput


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


def mask_id(number: str) -> str:
    """410102********1234: the region and the last four digits."""
    number = number.strip()
    if len(number) < 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def clean_id_number(value: str) -> tuple[str, dt.date]:
    """A mainland resident ID-card number (GB 11643) checked for length, birth date and check
    digit; returns it normalised (upper-case X) with the birth date it carries."""
    from stdnum.cn import ric
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    try:
        number = ric.validate(value)
    except InvalidLength:
        raise InvalidInput(_("An ID-card number has 18 characters."), field="id_number") from None
    except InvalidChecksum:
        raise InvalidInput(
            _("The ID-card number's check digit is wrong: a typing mistake?"), field="id_number"
        ) from None
    except InvalidComponent:
        raise InvalidInput(
            _("The ID-card number holds an impossible birth date."), field="id_number"
        ) from None
    except InvalidFormat:
        raise InvalidInput(
            _("An ID-card number is 17 digits and a digit or X."), field="id_number"
        ) from None
    born = ric.get_birth_date(number)
    if born > dt.date.today():
        raise InvalidInput(
            _("The ID-card number holds a birth date in the future."), field="id_number"
        )
    return number, born


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")


def clean_phone(value: str, field: str = "phone") -> str:
    """A mainland mobile number (11 digits from 13…19) or a landline with its area code; spaces
    dashes and a leading +86 are dropped."""
    phone = re.sub(r"[\s()\-]", "", value or "")
    phone = re.sub(r"^(\+?86)(?=1\d{10}$)", "", phone)
    if not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise InvalidInput(
            _("%(value)s is not a mainland mobile number or a landline with area code.")
            % {"value": value},
            field=field,
        )
    return phone
