from django.urls import path

from civicgrid.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.unit, name="home"),
    path("my/", views.mine, name="mine"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("photos/<int:pk>", views.photo, name="photo"),
    path("v/<int:pk>/", views.volunteer, name="volunteer"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    # Public, no login: the menu, a resident's order, the honour wall.
    path("c/<str:code>/", views.public, name="public"),
    path("c/<str:code>/wall/", views.wall, name="wall"),
    path("o/<str:token>/", views.track, name="track"),
]
