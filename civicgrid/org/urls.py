from django.urls import path

from civicgrid.org import views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("tree/<str:code>/children/", views.tree_children, name="tree_children"),
    path("units/search.json", views.unit_search, name="unit_search"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("map/", views.map_page, name="map"),
    path("map/units.geojson", views.map_geojson, name="map_geojson"),
]
