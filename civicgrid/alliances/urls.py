from django.urls import path

from civicgrid.alliances import views

app_name = "alliances"

urlpatterns = [
    path("", views.unit, name="home"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
]
