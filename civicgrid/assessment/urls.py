from django.urls import path

from civicgrid.assessment import check_urls, figure_urls, quiz_urls, views

app_name = "assessment"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("new/", views.new_plan, name="new_plan"),
    path("mine/", views.mine, name="mine"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/edit/", views.edit_plan, name="edit_plan"),
    path("plans/<int:pk>/entries/<int:indicator>/", views.entries, name="entries"),
    path("plans/<int:pk>/appeals/", views.appeals, name="appeals"),
    path("plans/<int:pk>/results.xlsx", views.export, name="export"),
    path("plans/<int:pk>/honours/", views.plan_honours, name="plan_honours"),
    path("lines/<int:pk>/appeal/", views.file_appeal, name="file_appeal"),
    path("appeals/<int:pk>/", views.answer_appeal, name="answer_appeal"),
    # The public honour list (no login) of a unit, a story, its photos.
    path("honours/<str:code>/", views.honours, name="honours"),
    path("honours/story/<int:pk>/", views.story, name="story"),
    path("honours/photos/<int:pk>/", views.honour_photo, name="honour_photo"),
    # The parts: 查 and 听, 测, and the per-worker figures.
    *check_urls.urlpatterns,
    *quiz_urls.urlpatterns,
    *figure_urls.urlpatterns,
]
