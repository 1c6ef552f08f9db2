from django.urls import path

from civicgrid.mediation import document_views, views

app_name = "mediation"

urlpatterns = [
    # A mediator's phone page: my cases, today's sessions.
    path("", views.home, name="home"),
    path("u/<str:code>/", views.board, name="board"),
    path("u/<str:code>/new/", views.new_case, name="new_case"),
    path("u/<str:code>/figures/", views.figures, name="figures"),
    path("u/<str:code>/pool/", views.pool, name="pool"),
    path("u/<str:code>/consultations/", views.consultations, name="consultations"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/sessions/new/", views.new_session, name="new_session"),
    # Printable documents (HTML print style, ?format=pdf), signed scans, session photos.
    path("cases/<int:pk>/documents/<str:kind>/", document_views.document, name="document"),
    path("cases/<int:pk>/scans/", document_views.upload_scan, name="upload_scan"),
    path("scans/<int:pk>/", document_views.scan, name="scan"),
    path("photos/<int:pk>/", document_views.photo, name="photo"),
    path("parties/<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("events/<int:pk>/", views.from_event, name="from_event"),
    path("situations/<int:pk>/", views.from_situation, name="from_situation"),
]
