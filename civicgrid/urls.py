from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from civicgrid import api
from civicgrid.core import health
from civicgrid.core import views as core_views
from civicgrid.core.views import limited
from civicgrid.site import views as site_views

admin.site.site_header = _("civicgrid administration")
admin.site.site_title = _("civicgrid")

# The database may be what failed: the 500 page asks it nothing.
handler500 = "civicgrid.site.views.server_error"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path(
        "login/",
        # Per user name + address, failures wait (accounts/lockout.py); per address, every
        # user name counts, so one address cannot try a password on every staff account.
        limited("login")(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every user changes their own password (Django's views; the policy: AUTH_PASSWORD_VALIDATORS).
    path(
        "password/",
        limited("login")(
            auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("api/v1/", api.urls()),
    re_path(r"^api/v1/(?P<rest>.*)$", api.not_routed),
    path("open311/v2/", include("civicgrid.events.open311_urls")),
    path("org/", include("civicgrid.org.urls")),
    path("people/", include("civicgrid.people.urls")),
    path("interop/", include("civicgrid.interop.urls")),
    path("classes/", include("civicgrid.classes.urls")),
    path("party/", include("civicgrid.party.urls")),
    path("volunteers/", include("civicgrid.volunteers.urls")),
    path("community/", include("civicgrid.community.urls")),
    path("", include("civicgrid.cockpit.urls")),
    path("routing/", include("civicgrid.routing.urls")),
    path("mediation/", include("civicgrid.mediation.urls")),
    path("selections/", include("civicgrid.selections.urls")),
    path("vote/", include("civicgrid.selections.vote_urls")),
    path("alliances/", include("civicgrid.alliances.urls")),
    path("assessment/", include("civicgrid.assessment.urls")),
    path("m/", include("civicgrid.messaging.urls")),
    path("", include("civicgrid.site.urls")),
    path("", include("civicgrid.events.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
