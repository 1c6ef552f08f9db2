"""API tokens: the key is shown once and kept only as a hash; it acts as its user while both
are active; its use is written down at most every five minutes."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.accounts.tokens import issue_token, user_for_key


def test_a_key_is_kept_only_as_its_hash(people):
    token, key = issue_token(user=people["alice"], name="市12345平台")
    assert key.startswith("cg_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix, str(stored))
    assert stored.prefix == key[:8] and str(stored) == f"市12345平台 ({key[:8]}…)"
    assert user_for_key(key) == people["alice"]
    assert user_for_key(f"  {key}\n") == people["alice"]  # pasted with spaces


def test_two_keys_of_one_user_are_different_and_each_works(people):
    _first, one = issue_token(user=people["bob"], name="a")
    _second, two = issue_token(user=people["bob"], name="b")
    assert one != two
    assert user_for_key(one) == user_for_key(two) == people["bob"]


@pytest.mark.parametrize("key", [None, "", "cg_wrong", "Bearer"])
def test_no_user_for_a_missing_or_unknown_key(people, key):
    issue_token(user=people["alice"], name="a")
    assert user_for_key(key) is None


def test_a_switched_off_token_or_user_acts_as_nobody(people):
    token, key = issue_token(user=people["alice"], name="a")
    token.active = False
    token.save()
    assert user_for_key(key) is None
    token.active = True
    token.save()
    people["alice"].is_active = False
    people["alice"].save()
    assert user_for_key(key) is None


def test_its_use_is_written_down_at_most_every_five_minutes(people, django_assert_num_queries):
    token, key = issue_token(user=people["alice"], name="a")
    with django_assert_num_queries(2):  # the lookup, and the first use written down
        user_for_key(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):
        user_for_key(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=6))
    user_for_key(key)
    assert first <= ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()


def test_a_token_works_for_the_api_and_open311_as_its_user(client, people, tree):
    _token, key = issue_token(user=people["alice"], name="a")
    response = client.get("/api/v1/events", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert client.get("/api/v1/events", HTTP_AUTHORIZATION="Bearer cg_wrong").status_code == 401
    assert client.get("/open311/v2/requests.json?api_key=cg_wrong").status_code == 403
    assert client.get(f"/open311/v2/requests.json?api_key={key}").status_code == 200


def test_the_command_prints_a_new_key_once(people):
    out = io.StringIO()
    call_command("issue_api_token", "alice", "--name", "城市大脑", stdout=out)
    key = out.getvalue().strip()
    assert user_for_key(key) == people["alice"]
    assert ApiToken.objects.get().name == "城市大脑"
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", stdout=io.StringIO())
