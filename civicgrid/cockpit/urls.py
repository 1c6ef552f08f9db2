"""The cockpit's pages; each part of the app keeps its own url module, included here."""

from django.urls import include, path

from civicgrid.cockpit import map_urls, overview_urls, report_urls, screen_urls

app_name = "cockpit"

urlpatterns: list = [
    path("", include(overview_urls.urlpatterns)),
    path("", include(map_urls.urlpatterns)),
    path("", include(screen_urls.urlpatterns)),
    path("", include(report_urls.urlpatterns)),
    # Exports of every list page (core/exports.py), under the cockpit's names.
    path("", include("civicgrid.core.export_urls")),
]
