"""Included from cockpit/urls.py (names cockpit:export, cockpit:export_job, ...)."""

from django.urls import path

from civicgrid.core import export_views as views

urlpatterns = [
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/jobs/<int:pk>/", views.export_job, name="export_job"),
    path("exports/jobs/<int:pk>/file", views.export_download, name="export_download"),
    path("exports/<str:name>/", views.export, name="export"),
]
