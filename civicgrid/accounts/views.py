from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicgrid.accounts import lockout


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer while a user name + address waits after failed log-ins: how long,
    with status 429 and Retry-After."""
    wait = max(1, lockout.wait_left(request, credentials))
    response = render(request, "accounts/locked_out.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
