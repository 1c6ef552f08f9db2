"""Personal numbers at rest and on screen: encrypted under the configured keys, found by a keyed
hash, shown masked; ID-card and phone numbers checked and normalised at the door."""

import datetime as dt
from types import SimpleNamespace

import pytest

from civicgrid.core import privacy
from civicgrid.core.errors import InvalidInput
from civicgrid.core.models import SealedPhone

# 410102 (中原区), born 1968-05-12, serial 003 (male), check digit 7.
ID_NUMBER = "410102196805120037"


@pytest.fixture
def keys(settings):
    """Use data keys by name, the newest first; the keyed hash keeps its own key."""

    def use(*names: str) -> None:
        settings.DATA_KEYS = list(names)
        privacy._cipher.cache_clear()

    settings.INDEX_KEY = "index"
    yield use
    privacy._cipher.cache_clear()


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),  # a mobile: four hidden, four shown
        ("0371123456", "037****456"),  # a 10-digit landline: still four hidden
        ("037112345678", "037*****5678"),  # a 12-digit landline: five hidden
        ("123456", "******"),  # too short to show anything
        ("  13812345678 ", "138****5678"),
    ],
)
def test_a_phone_is_masked_with_at_least_four_digits_hidden(phone, masked):
    assert privacy.mask_phone(phone) == masked


def test_an_id_number_is_masked_to_its_region():
    assert privacy.mask_id(ID_NUMBER) == "410102" + "*" * 12
    assert privacy.mask_id("12345") == "*****"


def test_numbers_are_encrypted_and_read_back_but_never_stored_in_clear(keys):
    keys("first")
    token = privacy.encrypt("13812345678")
    assert "13812345678" not in token and token != privacy.encrypt("13812345678")
    assert privacy.decrypt(token) == "13812345678"
    assert privacy.encrypt("") == "" and privacy.decrypt("") == ""


def test_a_new_key_reads_old_rows_and_rotation_moves_them_to_it(keys):
    keys("first")
    token = privacy.encrypt("13812345678")
    keys("second", "first")
    rotated = privacy.rotate(token)
    assert rotated != token and privacy.decrypt(rotated) == "13812345678"
    keys("second")
    assert privacy.decrypt(rotated) == "13812345678"
    # A row under a key that is no longer configured says so instead of breaking a page.
    assert privacy.decrypt(token) == "?"
    assert privacy.rotate("") == ""


def test_the_keyed_hash_finds_equal_numbers_whatever_the_data_key(keys):
    keys("first")
    first = privacy.blind_index("13812345678")
    keys("second")
    assert privacy.blind_index(" 13812345678 ") == first
    assert privacy.blind_index("13812345679") != first
    assert "13812345678" not in first


def test_a_sealed_phone_field_checks_the_number_and_copies_without_decrypting(keys):
    keys("first")

    # The helpers only set the three fields: any row with them will do.
    row, other = SimpleNamespace(), SimpleNamespace()
    SealedPhone.set_phone(row, "+86 138-1234-5678")
    assert privacy.decrypt(row.phone) == "13812345678"
    assert row.phone_masked == "138****5678"
    assert row.phone_hash == privacy.phone_hash("138 1234 5678")
    SealedPhone.copy_phone(other, row)
    assert (other.phone, other.phone_hash, other.phone_masked) == (
        row.phone,
        row.phone_hash,
        row.phone_masked,
    )
    with pytest.raises(InvalidInput) as error:
        SealedPhone.set_phone(row, "12345", field="contact_phone")
    assert error.value.field == "contact_phone"
    SealedPhone.set_phone(row, "  ")
    assert (row.phone, row.phone_hash, row.phone_masked) == ("", "", "")


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("(0371) 6123-4567", "037161234567"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_a_phone_is_read_however_it_was_typed(typed, clean):
    assert privacy.clean_phone(typed) == clean


@pytest.mark.parametrize("typed", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_a_phone_that_is_no_mainland_number_is_refused(typed):
    with pytest.raises(InvalidInput) as error:
        privacy.clean_phone(typed, field="mobile")
    assert error.value.field == "mobile"


def test_the_hash_of_a_loosely_typed_phone_is_that_of_the_kept_one():
    assert privacy.phone_hash("+86 138-1234-5678") == privacy.blind_index("13812345678")
    assert privacy.phone_hash("not a phone") == privacy.blind_index("not a phone")
    assert privacy.phone_hash("  ") == ""


def test_an_id_number_is_checked_and_gives_its_birth_date():
    assert privacy.clean_id_number(ID_NUMBER) == (ID_NUMBER, dt.date(1968, 5, 12))
    # Spaces typed in are dropped; a check digit X may be typed small.
    assert privacy.clean_id_number(" 41010219680512007x ")[0] == "41010219680512007X"


@pytest.mark.parametrize(
    "number",
    [
        "41010219680512003",  # 17 characters
        "41010219680512003A",  # a letter other than X
        "410102196805120038",  # wrong check digit
        "410102196813120037",  # month 13
        "410102220005120036",  # born in 2200
        "000000196805120032",  # no such region
    ],
)
def test_a_wrong_id_number_is_refused_naming_the_field(number):
    with pytest.raises(InvalidInput) as error:
        privacy.clean_id_number(number)
    assert error.value.field == "id_number"


def test_age_gender_and_region_leave_too_many_numbers_to_guess():
    """The masking rule: what a role without reveal sees leaves ≥ 10 000 candidates."""
    masked = privacy.mask_id(ID_NUMBER)
    today = dt.date(2026, 11, 20)
    assert privacy.id_candidates(masked, today=today, gender="1", age=58) >= 10_000
    # With the birth date (roles that may reveal) it narrows to that day's numbers.
    narrowed = privacy.id_candidates(masked, today=today, gender="1", born=dt.date(1968, 5, 12))
    assert 0 < narrowed < 1_000
    with pytest.raises(ValueError):
        privacy.id_candidates("4101**" + "*" * 12, today=today)
