from django.urls import path

from civicgrid.people import views

app_name = "people"

urlpatterns = [
    path("", views.home, name="home"),
    path("context.geojson", views.context_geojson, name="context_geojson"),
    path("units/", views.unit, name="unit_home"),
    path("units/<str:code>/", views.unit, name="unit"),
    path("units/<str:code>/organisations/", views.organisations, name="organisations"),
    path("units/<str:code>/facilities/", views.facilities, name="facilities"),
    path(
        "units/<str:code>/facilities.geojson", views.facilities_geojson, name="facilities_geojson"
    ),
    path("units/<str:code>/situations/", views.situations, name="situations"),
    path("units/<str:code>/import/", views.import_ledger, name="import"),
    path("units/<str:code>/persons.xlsx", views.export_persons, name="export_persons"),
    path(
        "units/<str:code>/organisations.xlsx",
        views.export_organisations,
        name="export_organisations",
    ),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:household>/add/", views.person_form, name="person_add"),
    path("households/<int:pk>/visit/", views.visit, name="visit"),
    path("visits/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_form, name="person_edit"),
    path("persons/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("persons/<int:pk>/export/", views.export_person, name="export_person"),
    path("persons/<int:pk>/leave/", views.person_leave, name="person_leave"),
    path("persons/<int:pk>/delete/", views.delete_person, name="delete_person"),
    path("situations/<int:pk>/close/", views.situation_close, name="situation_close"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
]
