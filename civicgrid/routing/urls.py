from django.urls import path

from civicgrid.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.models, name="models"),
    path("<str:name>/", views.model, name="model"),
    path("<str:name>/v<int:number>/roll-back/", views.roll_back, name="roll_back"),
    path("<str:name>/retrain/", views.retrain, name="retrain"),
]
