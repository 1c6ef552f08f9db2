from django.urls import path

from civicgrid.classes import views

app_name = "classes"

urlpatterns = [
    path("", views.home, name="home"),
    path("u/<str:code>/", views.home, name="unit"),
    path("u/<str:code>/courses/new", views.course_new, name="course_new"),
    path("u/<str:code>/venues/", views.venues, name="venues"),
    path("u/<str:code>/teachers/", views.teachers, name="teachers"),
    path("u/<str:code>/plan/<int:year>/", views.plan, name="plan"),
    path("u/<str:code>/figures/", views.figures, name="figures"),
    path("u/<str:code>/topics/", views.topics, name="topics"),
    path("teachers/<int:pk>/", views.teacher, name="teacher"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/venue-code", views.venue_code, name="venue_code"),
    path("sessions/<int:pk>/<str:step>", views.session_step, name="session_step"),
    # Public, no login: what a resident reaches from a link, a poster or the venue's QR code.
    path("c/<str:code>/", views.public, name="public"),
    path("c/<str:code>/board/", views.board, name="board"),
    path("c/<str:code>/sessions.ics", views.calendar, name="calendar"),
    path("e/<str:token>/", views.mine, name="mine"),
    path("q/<str:token>/", views.checkin, name="checkin"),
]
