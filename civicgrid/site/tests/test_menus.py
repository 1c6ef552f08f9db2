"""The role-based menu (site/menus.py): every role is offered only pages it may open."""

import re

import pytest

from civicgrid.site.menus import MENU, menu_for

WRITE_ENTRIES = {"report", "tasks", "patrol", "notes", "board", "inbox", "people", "visits"}


def test_every_menu_link_opens_for_its_role(client, personas):
    for name, user in personas.items():
        client.force_login(user)
        menu = menu_for(user)
        assert menu.links, name
        for link in menu.links:
            # A link may land through a redirect (/mediation/ opens the user's board).
            response = client.get(link.url, follow=True)
            assert response.status_code == 200, (name, link.url, response.status_code)


def test_the_page_renders_the_menu_and_nothing_else(client, personas):
    client.force_login(personas["volunteer"])
    page = client.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group()
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs == [link.url for link in menu_for(personas["volunteer"]).links]
    for absent in ("/events/board/", "/classes/", "/party/", "/community/", "/org/tree/"):
        assert f'href="{absent}"' not in page


@pytest.mark.parametrize(
    ("name", "offered", "not_offered"),
    [
        (
            "gridworker",
            {"tasks", "report", "patrol", "notes", "people", "visits"},
            {"board", "screens"},
        ),
        ("microleader", {"patrol", "notes", "people"}, {"board", "classes"}),
        ("community", {"board", "dashboard", "classes", "party", "mediation"}, {"patrol", "notes"}),
        ("street", {"board", "dashboard", "tree"}, {"patrol", "notes", "inbox"}),
        ("district", {"board", "dashboard", "overview", "screens"}, {"patrol", "notes", "inbox"}),
        ("department", {"inbox"}, {"patrol", "notes", "board", "people", "classes"}),
        ("volunteer", {"my_orders"}, {"patrol", "notes", "board", "people", "classes"}),
        ("partymember", {"my_party", "party_tasks"}, {"patrol", "board", "my_orders"}),
        ("mediator", {"my_cases", "report"}, {"board", "mediation", "people", "my_orders"}),
        ("gridworker", {"tasks"}, {"mediation", "mediation_figures", "my_cases"}),
        ("department", {"inbox"}, {"mediation", "mediation_figures", "my_cases"}),
    ],
)
def test_each_role_gets_its_own_pages(personas, name, offered, not_offered):
    keys = set(menu_for(personas[name]).keys)
    assert offered <= keys, offered - keys
    assert not keys & not_offered, keys & not_offered


def test_the_read_only_leader_sees_figures_only(personas):
    keys = set(menu_for(personas["leader"]).keys)
    assert keys == {
        "home",
        # Every module's figures for the leader's unit, the drill-down and the map (issue 19).
        "overview",
        "reports",
        "exports",
        "dashboard",
        "class_figures",
        "community_figures",
        "mediation_figures",
        "worker_figures",
        # The assessment's plans and results, read only: a leader takes no step (issue 18).
        "assessment",
        # How well the suggested categories and departments do, read only (issue 20).
        "routing",
        "notifications",
    }
    assert not keys & WRITE_ENTRIES


def test_the_superuser_sees_every_entry_but_the_personal_ones(personas):
    keys = menu_for(personas["admin"]).keys
    expected = [e.key for e in MENU if e.unit_roles is None and not e.personal]
    assert keys == expected


def test_the_phone_tabs_are_the_roles_main_entries_and_more_holds_the_rest(personas):
    menu = menu_for(personas["gridworker"])
    assert [link.key for link in menu.tabs] == [
        "home",
        "tasks",
        "report",
        "people",
        "notifications",
    ]
    assert {link.key for link in menu.more} == set(menu.keys) - {link.key for link in menu.tabs}
    assert 4 <= len(menu.tabs) <= 5


def test_the_current_page_is_marked_once(client, personas):
    client.force_login(personas["community"])
    page = client.get("/events/board/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group()
    assert nav.count('aria-current="page"') == 1
    assert re.search(r'href="/events/board/" aria-current="page"', nav)


def test_the_top_bar_shows_the_configured_platform_name(client, personas, settings):
    client.force_login(personas["gridworker"])
    assert "党建引领网格化治理平台" in client.get("/").content.decode()
    settings.PLATFORM_NAME = "中原区网格化平台"
    page = client.get("/").content.decode()
    assert '<a class="brand" href="/">中原区网格化平台</a>' in page


def test_a_skip_link_is_the_first_thing_to_focus(client, personas):
    client.force_login(personas["gridworker"])
    page = client.get("/").content.decode()
    body = page[page.index("<body") :]
    first_link = re.search(r"<a [^>]*>", body).group()
    assert 'href="#main"' in first_link
    assert '<main id="main"' in page


def test_a_mediators_login_opens_their_cases_first(personas):
    menu = menu_for(personas["mediator"])
    assert menu.who.kind == "mediator"
    assert menu.tabs[0].key == "my_cases" and menu.tabs[0].url == "/mediation/"
    # Desk staff go to their unit's board, the leader to the figures.
    community = menu_for(personas["community"])
    assert {link.key: link.url for link in community.links}["mediation"].startswith("/mediation/u/")
    leader = {link.key: link.url for link in menu_for(personas["leader"]).links}
    assert leader["mediation_figures"].endswith("/figures/")
