"""The sealed-number helper: one way to keep a personal number, the same in every table."""

from types import SimpleNamespace

from civicgrid.core import privacy

PHONE = "13812345678"
ID = "410102199001011234"


def test_it_seals_a_phone_into_ciphertext_keyed_hash_and_mask():
    values = privacy.PHONE.values(PHONE)
    assert set(values) == {"phone", "phone_hash", "phone_masked"}
    assert values["phone"] != PHONE and privacy.decrypt(values["phone"]) == PHONE
    assert values["phone_hash"] == privacy.blind_index(PHONE) == privacy.phone_hash(PHONE)
    assert values["phone_masked"] == "138****5678"


def test_it_masks_an_id_number_to_its_region():
    values = privacy.ID_NUMBER.values(ID)
    assert privacy.decrypt(values["id_number"]) == ID
    assert values["id_hash"] == privacy.blind_index(ID)
    assert values["id_masked"] == "410102" + "*" * 12


def test_a_blank_number_clears_every_kept_field():
    assert privacy.PHONE.values("") == {"phone": "", "phone_hash": "", "phone_masked": ""}
    row = SimpleNamespace(**privacy.PHONE.values(PHONE))
    privacy.PHONE.write(row, "")
    assert vars(row) == {"phone": "", "phone_hash": "", "phone_masked": ""}


def test_it_keeps_only_the_fields_a_model_has():
    no_hash = privacy.SealedNumber("contact_phone", masked="contact_phone_masked")
    assert set(no_hash.values(PHONE)) == {"contact_phone", "contact_phone_masked"}
    no_mask = privacy.SealedNumber("reporter_phone", hash="reporter_phone_hash")
    assert set(no_mask.values(PHONE)) == {"reporter_phone", "reporter_phone_hash"}


def test_a_copy_takes_the_other_rows_ciphertext_undecrypted():
    resident = SimpleNamespace(**privacy.ID_NUMBER.values(ID))
    volunteer = SimpleNamespace()
    privacy.ID_NUMBER.copy(volunteer, resident)
    assert vars(volunteer) == vars(resident)
    assert privacy.ID_NUMBER.kept(volunteer) == vars(resident)


def test_a_loosely_typed_phone_hashes_like_the_same_phone_kept_clean():
    # How a reporter's phone is kept (events): as typed, with a resident's phone hash.
    loose = privacy.SealedNumber(
        "reporter_phone", hash="reporter_phone_hash", index=privacy.phone_hash
    )
    values = loose.values("+86 138-1234-5678")
    assert privacy.decrypt(values["reporter_phone"]) == "+86 138-1234-5678"
    assert values["reporter_phone_hash"] == privacy.PHONE.values(PHONE)["phone_hash"]
