"""The big screen's URLs (issue 19), included by cockpit/urls.py (names cockpit:…)."""

from django.urls import path

from civicgrid.cockpit import screen_views

urlpatterns = [
    # The secret links first: "s" is never a unit code, but keep the order explicit.
    path("screen/s/<str:token>/", screen_views.link_screen, name="link_screen"),
    path("screen/s/<str:token>/data/", screen_views.link_screen_data, name="link_screen_data"),
    path("screens/", screen_views.screens_home, name="screens_home"),
    path("screen/<str:code>/", screen_views.screen, name="screen"),
    path("screen/<str:code>/data/", screen_views.screen_data, name="screen_data"),
    path("screen/<str:code>/links/", screen_views.screen_links, name="screen_links"),
    path(
        "screen/<str:code>/links/<int:pk>/revoke/",
        screen_views.revoke_screen_link,
        name="revoke_screen_link",
    ),
]
