from django.urls import path

from civicgrid.community import views

app_name = "community"

urlpatterns = [
    path("", views.unit, name="home"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("u/<str:code>/figures/", views.figures, name="figures"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("partners/mine/", views.my_partner, name="my_partner"),
    path("partners/<int:pk>/", views.partner, name="partner"),
    path("tasks/<int:pk>/", views.task, name="task"),
    # The form on a joint meeting's page (alliances) that makes a resolution a task.
    path("meetings/<int:pk>/tasks/", views.resolution_task, name="resolution_task"),
]
