"""After an error a form goes back to the page it came from, never to another site named in
a forged Referer."""


def test_a_foreign_referer_is_not_followed(client, people, estate):
    client.force_login(people["alice"])
    response = client.post(
        f"/people/households/{estate.household.pk}/visit/",
        {"visited_on": "not a date"},
        HTTP_REFERER="https://evil.example.org/phish",
    )
    assert response.status_code == 302
    assert response.url == "/people/"


def test_a_referer_on_this_site_is_followed(client, people, estate):
    client.force_login(people["alice"])
    back = f"/people/households/{estate.household.pk}/"
    response = client.post(
        f"/people/households/{estate.household.pk}/visit/",
        {"visited_on": "not a date"},
        HTTP_REFERER=f"http://testserver{back}",
    )
    assert response.url == f"http://testserver{back}"
