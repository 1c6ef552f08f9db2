"""The cockpit's pages; each part of the app keeps its own url module, included here."""

from django.urls import include, path

from civicgrid.cockpit import map_urls

app_name = "cockpit"

urlpatterns: list = [
    path("", include(map_urls.urlpatterns)),
]
