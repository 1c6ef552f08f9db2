"""The reports' pages, included by cockpit/urls.py (names cockpit:report_…)."""

from django.urls import path, register_converter

from civicgrid.cockpit import report_views


class _Format:
    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_Format, "report_format")

urlpatterns = [
    path("overview/<str:code>/reports/", report_views.report_list, name="report_list"),
    path(
        "overview/<str:code>/reports/generate/",
        report_views.report_generate,
        name="report_generate",
    ),
    path(
        "overview/<str:code>/reports/<int:pk>.<report_format:fmt>",
        report_views.report_file,
        name="report_file",
    ),
]
