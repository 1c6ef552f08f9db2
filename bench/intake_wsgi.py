"""The benchmark server: civicgrid as deployed, plus one bare Django JSON view to compare
event intake with — it parses the same body and inserts one row, and does nothing else."""

# isort: off
from civicgrid.wsgi import application  # sets Django up before anything reads settings
# isort: on

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from civicgrid.urls import urlpatterns


@csrf_exempt
def bare_intake(request):
    data = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_intake (title, category, lon, lat) VALUES (%s, %s, %s, %s)",
            [data["title"], data["category"], data["lon"], data["lat"]],
        )
    return JsonResponse({"ok": True}, status=201)


urlpatterns.append(path("bench/bare-intake", bare_intake))

__all__ = ["application"]
