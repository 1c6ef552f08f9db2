"""Per-worker figures pages; the assessment's URLconf includes these under /assessment/ (names
in the "assessment" namespace: figures_mine, figures_worker, figures_rankings, figures_ranking)."""

from django.urls import path

from civicgrid.assessment import figure_views

urlpatterns = [
    path("figures/", figure_views.mine, name="figures_mine"),
    path("figures/w/<int:pk>/", figure_views.worker, name="figures_worker"),
    path("figures/u/", figure_views.rankings, name="figures_rankings"),
    path("figures/u/<str:code>/", figure_views.ranking, name="figures_ranking"),
]
