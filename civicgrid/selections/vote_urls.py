"""The residents' voting pages (no login), mounted at /vote/."""

from django.urls import path

from civicgrid.selections import views

app_name = "vote"

urlpatterns = [
    path("", views.vote_home, name="home"),
    path("<int:pk>/", views.vote_selection, name="selection"),
    path("<int:pk>/counts/", views.vote_counts, name="counts"),
    path("<int:pk>/verify/", views.vote_verify, name="verify"),
    path("<int:pk>/forget/", views.vote_forget, name="forget"),
    path("<int:pk>/cast/", views.vote_cast, name="cast"),
    path("<int:pk>/nominate/", views.vote_nominate, name="nominate"),
    path("photos/<int:pk>/", views.vote_photo, name="photo"),
]
