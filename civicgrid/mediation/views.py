"""Mediation pages (being built: issue 17)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


home = board = new_case = figures = pool = consultations = case = new_session = _todo
reveal_phone = from_event = from_situation = _todo
