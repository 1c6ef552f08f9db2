"""Every page open without a login is counted per address, the read-only ones included: the
display board, the calendar, the honour wall, the report page's areas, the opt-out link."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/classes/c/{code}/",
        "/classes/c/{code}/board/",
        "/classes/c/{code}/sessions.ics",
        "/volunteers/c/{code}/wall/",
        "/r/areas.geojson",
        "/m/opt-out/nonsense/",
    ],
)
def test_public_reads_are_limited_per_address(client, tree, settings, path):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"read_ip": (2, 3600)}
    url = path.format(code=tree.community_a1.code)
    for _ in range(2):
        assert client.get(url, REMOTE_ADDR="203.0.113.5").status_code != 429
    assert client.get(url, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.get(url, REMOTE_ADDR="203.0.113.6").status_code != 429
