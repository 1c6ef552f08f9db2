"""Deadlines in working hours and working days, on the official Chinese calendar.

chinesecalendar knows the State Council's holidays and make-up working days (调休) for each year
it has been published for; for a year it does not know yet, Monday to Friday count as
working days and a warning is logged once, so deadlines keep moving rather than failing.
"""

import datetime as dt
import logging
from functools import cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


@cache
def _warn_unknown_year(year: int) -> None:
    log.warning("no official holiday calendar for %s: counting Monday to Friday", year)


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def _clock(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, _clock(settings.WORKDAY_START), tzinfo=tz)
    end = dt.datetime.combine(day, _clock(settings.WORKDAY_END), tzinfo=tz)
    return start, end


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start` (hours inside the working day only)."""
    remaining = dt.timedelta(hours=hours)
    moment = timezone.localtime(start)
    day = moment.date()
    while True:
        if is_workday(day):
            begin, end = _window(day)
            begin = max(begin, moment)
            if begin < end:
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
        day += dt.timedelta(days=1)
        moment = _window(day)[0]


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the `days`-th working day after the day of `start` (N个工作日内): an event
    reported on Friday with 1 working day is due on Monday evening, or later after a holiday."""
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return _window(day)[1]
