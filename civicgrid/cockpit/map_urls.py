"""The cockpit's maps and the service-point registry (included by cockpit/urls.py)."""

from django.urls import path

from civicgrid.cockpit import map_views

urlpatterns = [
    path("overview/<str:code>/map/", map_views.unit_map, name="unit_map"),
    path("overview/<str:code>/map/units.geojson", map_views.map_outlines, name="map_outlines"),
    path("overview/<str:code>/map/events.json", map_views.map_events, name="map_events"),
    path("overview/<str:code>/map/<slug:layer>.geojson", map_views.map_layer, name="map_layer"),
    path("service-points/", map_views.public_map, name="service_point_map"),
    path("service-points/points.geojson", map_views.public_geojson, name="service_point_geojson"),
    path("service-points/manage/", map_views.service_points_page, name="service_points"),
    path("service-points/manage/new/", map_views.service_point_new, name="service_point_new"),
    path(
        "service-points/manage/<int:pk>/", map_views.service_point_edit, name="service_point_edit"
    ),
]
