from django.urls import path

from civicgrid.events import views

app_name = "events"

urlpatterns = [
    path("events/report/", views.report, name="report"),
    path("events/nearby/", views.nearby, name="nearby"),
    path("events/suggest/", views.suggest, name="suggest"),
    path("events/tasks/", views.tasks, name="tasks"),
    path("events/board/", views.board, name="board_home"),
    path("events/board/<str:code>/", views.board, name="board"),
    path("events/inbox/", views.inbox, name="inbox"),
    path("events/map/", views.event_map, name="map"),
    path("events/map.geojson", views.map_geojson, name="map_geojson"),
    path("events/dashboard/", views.dashboard, name="dashboard_home"),
    path("events/dashboard/<str:code>/", views.dashboard, name="dashboard"),
    path("events/photo/<int:pk>/", views.photo, name="photo"),
    path("events/patrol/start/", views.patrol_start, name="patrol_start"),
    path("events/patrol/<int:pk>/point/", views.patrol_point, name="patrol_point"),
    path("events/patrol/<int:pk>/end/", views.patrol_end, name="patrol_end"),
    path("events/notes/", views.quick_note, name="quick_note"),
    path("events/notes/<int:pk>/event/", views.note_to_event, name="note_to_event"),
    path("events/<str:number>/", views.detail, name="detail"),
    path("events/<str:number>/act/<str:action>/", views.act, name="act"),
    path(
        "events/<str:number>/accept-suggestion/",
        views.accept_suggestion,
        name="accept_suggestion",
    ),
    # Residents: the public report link and the tracking page (no login).
    path("r/", views.public_report, name="public_report"),
    path("r/areas.geojson", views.public_areas, name="public_areas"),
    path("t/<str:token>/", views.track, name="track"),
    path("q/", views.lookup, name="lookup"),
]
