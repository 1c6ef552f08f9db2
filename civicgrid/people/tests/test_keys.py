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


def test_a_reveal_under_a_key_this_host_lacks_says_so_and_logs_an_error(
    client, estate, people, keys, caplog
):
    import json
    import logging

    from django.urls import reverse
    from django.utils import translation

    from civicgrid.accounts.tokens import issue_token
    from civicgrid.core.models import AccessLog
    from civicgrid.people.models import Person

    keys("old")
    keys("another")  # a host started with other keys (or a restore without them)
    client.force_login(people["alice"])
    url = reverse("people:reveal", args=[estate.mother.pk])
    with caplog.at_level(logging.ERROR, logger="civicgrid.core.privacy"):
        page = client.post(url, {"field": "phone", "reason": "电话联系"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 409
    text = page.content.decode()
    assert "13812345678" not in text
    assert "data keys differ from the database" in text
    with (
        translation.override("zh-hans"),
        pytest.raises(privacy.SealedWithOtherKey, match="服务器的数据密钥与数据库的不一致"),
    ):
        privacy.reveal(Person.objects.get(pk=estate.mother.pk).phone)
    assert "cannot be decrypted with this host's CIVICGRID_DATA_KEYS" in caplog.text
    assert not AccessLog.objects.exists()  # nothing was revealed

    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=people['alice'], name='x')[1]}"}
    api = client.post(
        f"/api/v1/people/persons/{estate.mother.pk}/reveal",
        json.dumps({"field": "phone", "reason": "电话联系"}),
        content_type="application/json",
        **auth,
    )
    assert api.status_code == 409
    assert "value" not in api.json()

    keys("old")  # the right keys again: the number is there
    page = client.post(url, {"field": "phone", "reason": "电话联系"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "13812345678" in page.content.decode()
