"""The project's URLconf with the 查/听 pages under /assessment/ (namespace "assessment"), for
this part's tests: until the assessment's own URLconf includes check_urls, the tests add it."""

from django.urls import include, path

from civicgrid import urls as root
from civicgrid.assessment import check_urls

urlpatterns = list(root.urlpatterns)
if not any(getattr(p, "namespace", None) == "assessment" for p in urlpatterns):
    urlpatterns.append(path("assessment/", include((check_urls.urlpatterns, "assessment"))))
