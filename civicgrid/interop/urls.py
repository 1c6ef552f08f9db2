from django.urls import path

from civicgrid.interop import history_views, views

app_name = "interop"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    # ---- history import and category mapping (issue 16, history_views.py) ----
    path("units/<str:code>/history/", history_views.history_import, name="history"),
    path("history/<int:pk>/", history_views.history_job, name="history_job"),
    path("mappings/", history_views.category_mappings, name="mappings"),
    path("mappings/save/", history_views.save_category_mapping, name="save_mapping"),
    path(
        "mappings/<int:pk>/delete/",
        history_views.delete_category_mapping,
        name="delete_mapping",
    ),
    # ---- end of history import ----
]
