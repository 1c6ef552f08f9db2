"""Mediation documents and files (being built: issue 17)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


document = upload_scan = scan = photo = _todo
