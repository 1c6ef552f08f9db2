"""`notify()` is how any app reaches a user's in-app inbox: each user once, a link on this
site only."""

import pytest

from civicgrid.messaging import selectors, services
from civicgrid.messaging.models import Notification


@pytest.mark.django_db
def test_it_tells_each_user_once_and_skips_none(people):
    alice, bob = people["alice"], people["bob"]
    services.notify(users=[alice, alice.pk, None, bob], text="派给你：E1", link="/events/E1/")
    rows = Notification.objects.order_by("user_id")
    assert [(n.user_id, n.text, n.link, n.read_at) for n in rows] == [
        (alice.pk, "派给你：E1", "/events/E1/", None),
        (bob.pk, "派给你：E1", "/events/E1/", None),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link", ["https://evil.example.org/", "//evil.example.org/x", "javascript:alert(1)", "e/1/"]
)
def test_it_links_only_to_this_site(people, link):
    with pytest.raises(ValueError, match="path on this site"):
        services.notify(users=[people["alice"]], text="看这里", link=link)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_long_text_is_cut_to_the_column(people):
    services.notify(users=[people["alice"]], text="长" * 400, link="/")
    assert Notification.objects.get().text == "长" * 300


@pytest.mark.django_db
def test_reading_marks_only_ones_own(people):
    alice, bob = people["alice"], people["bob"]
    services.notify(users=[alice, bob], text="督办", link="/events/E2/")
    services.notify(users=[alice], text="退回", link="/events/E3/")
    assert services.mark_notifications_read(user=alice) == 2
    assert (selectors.unread_count(alice), selectors.unread_count(bob)) == (0, 1)
    assert [n.text for n in selectors.notifications_for(bob)] == ["督办"]
