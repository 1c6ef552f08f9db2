"""Personal data at rest (PIPL): encryption with keys from the environment, and masking.

Phone and ID numbers are stored only as Fernet tokens; pages show them masked.

The masking rule: no role may rebuild a number from what it sees without an audited reveal,
so everything a role sees of a person together (masked number, birth date or age, gender,
region, address) must leave at least 10 000 candidate numbers (`id_candidates` counts them).

- An ID-card number is shown as its 6-digit region only (410102************): the birth date,
  the three sequence digits and the check digit are hidden.
- Roles that may reveal numbers at the person's unit (people/roles.PERSONAL_DATA_ROLES) see
  the birth date; every other role sees the age in whole years only, never the birth date.
  Age, gender and region leave ~365 days × 500 sequence numbers ≈ 182 000 candidates. A role
  that sees the birth date narrows it to the 500 numbers of that day and gender: it may
  reveal the number anyway (logged), and the one oracle that could tell which of them is
  right, a search by the whole number, is rate-limited and logged like a reveal.
- A phone number keeps its first three and at most four last digits and hides at least four
  (138****5678, 037****4567): at least 10 000 candidates.
"""

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicgridError, InvalidInput

logger = logging.getLogger(__name__)


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


def decrypt_token(token: str) -> str:
    """`token` decrypted; InvalidToken when no configured key reads it."""
    return _cipher().decrypt(token.encode()).decode()


def decrypt(token: str) -> str:
    """`token` decrypted for display: "?" for one written under a key no longer configured
    (never crash a page). Where the number itself is asked for, use `reveal`."""
    if not token:
        return ""
    try:
        return decrypt_token(token)
    except InvalidToken:
        return "?"


class SealedWithOtherKey(CivicgridError):
    """A sealed number was written under a data key this host does not have."""

    status = 409


def reveal(token: str) -> str:
    """`token` decrypted for someone who asked for the number itself; SealedWithOtherKey (logged
    as an error: the host's keys are wrong, core.keyring) when no configured key reads it."""
    if not token:
        return ""
    try:
        return decrypt_token(token)
    except InvalidToken:
        logger.error(
            "a sealed number cannot be decrypted with this host's CIVICGRID_DATA_KEYS: the keys "
            "differ from those the data was written with (docs/backup.md)"
        )
        raise SealedWithOtherKey(
            _(
                "This number was sealed with a key this server does not have, so it cannot be "
                "shown. Tell the administrator: the server's data keys differ from the database's."
            )
        ) from None


def blind_index(value: str) -> str:
    """A keyed hash of `value` so equal values can be found without decrypting every row."""
    key = _fernet_key("blind-index:" + settings.INDEX_KEY)
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()


MASKED_PHONE_DIGITS = 4


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it (at least four digits
    hidden, so at least 10 000 numbers fit; a 10-digit landline keeps three last digits)."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    hidden = max(MASKED_PHONE_DIGITS, len(digits) - 7)
    return f"{digits[:3]}{'*' * hidden}{digits[3 + hidden :]}"


def mask_id(number: str) -> str:
    """410102************: the region only (birth date, sequence and check digit hidden)."""
    number = number.strip()
    if len(number) < 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 6)}"


# GB 11643: the weight of each of the first 17 digits in the check digit.
_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def _age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def id_candidates(
    masked: str,
    *,
    today: dt.date,
    gender: str = "",
    born: dt.date | None = None,
    age: int | None = None,
) -> int:
    """How many valid ID-card numbers fit what a viewer sees: the masked form (visible
    characters, "*" hidden; the region must be visible), the gender ("1" male, "2" female,
    else unknown) and the birth date, or else the age in whole years on `today`. The check
    of the masking rule above, and what an attacker would enumerate."""
    if len(masked) != 18 or "*" in masked[:6]:
        raise ValueError("an 18-character mask with a visible region")
    if born is not None:
        days = [born]
    else:
        if age is not None:
            first = _years_before(today, age + 1) + dt.timedelta(days=1)
            last = _years_before(today, age)
        else:
            first, last = dt.date(1890, 1, 1), today
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    # The sequence digits: those the mask and the gender allow, counted by their share of
    # the weighted sum (mod 11), so each day costs one lookup.
    shares = [0] * 11
    for serial in range(1000):
        digits = f"{serial:03d}"
        if any(m != "*" and m != d for m, d in zip(masked[14:17], digits, strict=True)):
            continue
        if gender in ("1", "2") and int(digits[2]) % 2 != int(gender) % 2:
            continue
        shares[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[14:17], strict=True)) % 11] += 1
    head = sum(int(d) * w for d, w in zip(masked[:6], _ID_WEIGHTS[:6], strict=True))
    check = masked[17]
    total = 0
    for day in days:
        date = f"{day:%Y%m%d}"
        if any(m != "*" and m != d for m, d in zip(masked[6:14], date, strict=True)):
            continue
        partial = head + sum(int(d) * w for d, w in zip(date, _ID_WEIGHTS[6:14], strict=True))
        if check == "*":
            total += sum(shares)
            continue
        wanted = (12 - (10 if check.upper() == "X" else int(check))) % 11
        total += shares[(wanted - partial) % 11]
    return total


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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


def phone_hash(phone: str) -> str:
    """The keyed hash of a phone as a resident's is kept (`clean_phone`, then `blind_index`),
    for a number typed more loosely; "" for none."""
    if not (phone or "").strip():
        return ""
    try:
        phone = clean_phone(phone)
    except InvalidInput:
        phone = phone.strip()
    return blind_index(phone)


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")


def ascii_digits(value: str) -> str:
    """`value` with full-width digits, plus sign and spaces as their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", value)


def clean_phone(value: str, field: str = "phone") -> str:
    """A mainland mobile number (11 digits from 13…19) or a landline with its area code; spaces
    dashes and a leading +86 are dropped; full-width digits (a Chinese input method) are read
    as the digits they are, so one phone has one sealed form however it was typed."""
    phone = re.sub(r"[\s()\-]", "", ascii_digits(value or ""))
    phone = re.sub(r"^(\+?86)(?=1\d{10}$)", "", phone)
    if not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise InvalidInput(
            _("%(value)s is not a mainland mobile number or a landline with area code.")
            % {"value": value},
            field=field,
        )
    return phone


@dataclass(frozen=True)
class SealedNumber:
    """Where a model keeps one personal number sealed, and how: the names of its fields for the
    ciphertext, the keyed hash that finds the number whole, and the masked form shown ("" for a
    part the model does not keep), with the mask and the hash that number takes.

    Every sealed number is written through one of these, so a phone's hash is the same in every
    table (erasure and consent find a resident's rows by it) and no part is forgotten."""

    token: str
    hash: str = ""
    masked: str = ""
    mask: Callable[[str], str] = mask_phone
    index: Callable[[str], str] = blind_index

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name in (self.token, self.hash, self.masked) if name)

    def values(self, number: str) -> dict[str, str]:
        """The fields' values for `number`, checked already; "" clears them."""
        parts = ((self.token, encrypt), (self.hash, self.index), (self.masked, self.mask))
        return {name: make(number) if number else "" for name, make in parts if name}

    def write(self, row: object, number: str) -> None:
        """Seal `number` (checked already; "" clears it) into `row`'s fields."""
        for name, value in self.values(number).items():
            setattr(row, name, value)

    def kept(self, row: object) -> dict[str, str]:
        """`row`'s sealed number as stored, to give another row the same one undecrypted."""
        return {name: getattr(row, name) for name in self.fields}

    def copy(self, row: object, other: object) -> None:
        """Give `row` the number `other` keeps in fields of the same names (never decrypted)."""
        for name, value in self.kept(other).items():
            setattr(row, name, value)


# A phone is kept checked (`clean_phone`), so the plain keyed hash finds it typed any way.
PHONE = SealedNumber("phone", "phone_hash", "phone_masked")
ID_NUMBER = SealedNumber("id_number", "id_hash", "id_masked", mask=mask_id)


def remask_rows(rows: QuerySet[Any], pairs: list[tuple[str, str, Callable[[str], str]]]) -> int:
    """Recompute stored masked forms after the masking rule changed (data migrations):
    `pairs` are (ciphertext field, masked field, mask). A number under a key no longer
    configured keeps its old masked form. Returns how many rows changed."""
    fields = [masked_field for _cipher_field, masked_field, _mask in pairs]
    changed, total = [], 0
    for row in rows.iterator(chunk_size=2000):
        dirty = False
        for cipher_field, masked_field, mask in pairs:
            token = getattr(row, cipher_field)
            if not token:
                continue
            try:
                masked = mask(_cipher().decrypt(token.encode()).decode())
            except InvalidToken:
                continue
            if getattr(row, masked_field) != masked:
                setattr(row, masked_field, masked)
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) >= 1000:
            rows.model._default_manager.bulk_update(changed, fields)
            total, changed = total + len(changed), []
    if changed:
        rows.model._default_manager.bulk_update(changed, fields)
    return total + len(changed)
