from django.urls import path

from civicgrid.party import views

app_name = "party"

urlpatterns = [
    path("", views.unit, name="home"),
    path("me/", views.me, name="me"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("u/<str:code>/shop/", views.shop, name="shop"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("branches/<int:pk>/members/new", views.member_new, name="member_new"),
    path("members/<int:pk>/", views.member, name="member"),
]
