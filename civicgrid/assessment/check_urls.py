"""The 查 and 听 pages, included by the assessment's URLconf under /assessment/ (namespace
"assessment"): a plan's sample and draw log, a drawn grid's spot checks, the cross-boundary
reviews, the inspections and their form, and the inspection photos."""

from django.urls import path

from civicgrid.assessment import check_views

urlpatterns = [
    path("plans/<int:pk>/check/", check_views.check, name="check"),
    path("plans/<int:pk>/check/grids/<str:code>/", check_views.check_grid, name="check_grid"),
    path("plans/<int:pk>/check/cross/", check_views.check_cross, name="check_cross"),
    path("plans/<int:pk>/inspections/", check_views.inspections, name="inspections"),
    path("plans/<int:pk>/inspections/new/", check_views.inspection_new, name="inspection_new"),
    path("inspection-photos/<int:pk>/", check_views.inspection_photo, name="inspection_photo"),
]
