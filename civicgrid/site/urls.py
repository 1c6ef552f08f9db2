from django.urls import path

from civicgrid.site import public, views

app_name = "site"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("accounts/", views.accounts, name="accounts"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # Residents, no login: a community's doors.
    path("c/<str:code>/", public.community, name="community"),
]
