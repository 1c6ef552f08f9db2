from django.urls import path

from civicgrid.messaging import views

app_name = "messaging"

urlpatterns = [
    # Public, no login.
    path("code/", views.request_code, name="request_code"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
