"""Personal data at rest (PIPL): encryption with keys from the environment, and masking.

Phone and ID numbers are stored only as Fernet tokens; pages show them masked.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
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


def rotate(token: str) -> str:
    """`token` encrypted again under the newest key (MultiFernet.rotate); "" stays ""."""
    if not token:
        return ""
    return _cipher().rotate(token.encode()).decode()


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
    key = _fernet_key("blind-index:" + settings.INDEX_KEY)
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()


def seal(value: str, mask: Callable[[str], str]) -> tuple[str, str, str]:
    """How a personal number is kept: (ciphertext, keyed hash, masked form); "" for none."""
    if not value:
        return "", "", ""
    return encrypt(value), blind_index(value), mask(value)


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
    """A mainland resident ID-card number (GB 11643) checked for length, check digit, birth
    date and region code; returns it normalised (upper-case X) with the birth date it carries.

    The region must be a code that exists or existed (python-stdnum's table); unlike
    `stdnum.cn.ric.validate` it need not have existed in the birth year, because people born
    before their district was created carry its code (郑州's 中原区 dates from 1955)."""
    from stdnum import numdb
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    number = ric.compact(value or "")
    if len(number) != 18:
        raise InvalidInput(_("An ID-card number has 18 characters."), field="id_number")
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise InvalidInput(_("An ID-card number is 17 digits and a digit or X."), field="id_number")
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidInput(
            _("The ID-card number's check digit is wrong: a typing mistake?"), field="id_number"
        )
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        born = None
    if born is None or born > dt.date.today() or born.year < 1890:
        raise InvalidInput(
            _("The ID-card number holds an impossible birth date."), field="id_number"
        )
    if not any(props for _part, props in numdb.get("cn/loc").info(number[:6])):
        raise InvalidInput(
            _("The ID-card number starts with an unknown region code."), field="id_number"
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
