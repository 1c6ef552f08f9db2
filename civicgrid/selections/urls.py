from django.urls import path

from civicgrid.selections import views

app_name = "selections"

urlpatterns = [
    # Staff, logged in (mounted at /selections/).
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.selection, name="selection"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/steps/<str:action>/", views.take_step, name="step"),
    path("<int:pk>/nominate/", views.staff_nominate, name="nominate"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("nominations/<int:pk>/<str:action>/", views.review, name="review"),
    path("anomalies/<int:pk>/<str:action>/", views.anomaly, name="anomaly"),
    path("photos/<int:pk>/", views.staff_photo, name="photo"),
]
