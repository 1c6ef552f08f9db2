from django.urls import path

from civicgrid.cockpit import views

urlpatterns = [
    path("overview/", views.overview_home, name="overview_home"),
    path("overview/<str:code>/", views.overview, name="overview"),
]
