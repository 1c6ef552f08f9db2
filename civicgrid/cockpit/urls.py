"""The cockpit's pages; each part of the app keeps its own url module, included here."""

from django.urls import include, path

app_name = "cockpit"

urlpatterns: list = [
    path("", include("civicgrid.core.export_urls")),
]
