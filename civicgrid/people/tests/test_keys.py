import io

import pytest
from django.core.management import call_command

from civicgrid.core import privacy


@pytest.fixture
def keys(settings):
    """Configure data keys by name; "old" is the key the estate was written with."""
    old = settings.DATA_KEYS[0]

    def use(*names: str) -> None:
        settings.DATA_KEYS = [old if name == "old" else name for name in names]
        settings.INDEX_KEY = old
        privacy._cipher.cache_clear()

    yield use
    privacy._cipher.cache_clear()


def test_it_rotates_every_number_to_the_newest_key_and_keeps_the_hashes(estate, keys):
    from civicgrid.people.models import Person

    keys("old")
    mother = Person.objects.get(pk=estate.mother.pk)
    phone, phone_hash = privacy.decrypt(mother.phone), mother.phone_hash

    keys("new", "old")
    call_command("rotate_data_keys", stdout=io.StringIO())

    keys("new")  # the old key retired: every number still reads, every hash still finds
    tokens = [t for p in Person.objects.all() for t in (p.phone, p.id_number) if t]
    assert len(tokens) >= 4
    assert all(privacy.decrypt(token) != "?" for token in tokens)
    mother.refresh_from_db()
    assert privacy.decrypt(mother.phone) == phone
    assert privacy.blind_index(phone) == phone_hash == mother.phone_hash


def test_it_leaves_numbers_under_an_unknown_key_and_says_so(estate, keys, capsys):
    from civicgrid.people.models import Person

    keys("old")
    keys("new")  # the old key was dropped too early
    call_command("rotate_data_keys")
    assert "not in CIVICGRID_DATA_KEYS" in capsys.readouterr().err
    keys("old")
    assert privacy.decrypt(Person.objects.get(pk=estate.mother.pk).phone) == "13812345678"
