"""The cockpit's pages; each part of the app keeps its own url module, included here."""

app_name = "cockpit"

urlpatterns: list = []
