import datetime as dt
from zoneinfo import ZoneInfo

from civicgrid.events.workdays import add_working_days, add_working_hours, is_workday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_it_knows_holidays_and_make_up_workdays():
    assert not is_workday(dt.date(2026, 10, 1))  # National Day
    assert is_workday(dt.date(2026, 10, 10))  # a Saturday worked to make up for it
    assert not is_workday(dt.date(2026, 11, 21))  # a plain Saturday


def test_it_counts_weekdays_for_a_year_not_yet_published():
    assert is_workday(dt.date(2031, 3, 3)) and not is_workday(dt.date(2031, 3, 1))


def test_working_hours_skip_nights_weekends_and_holidays():
    # Friday 16:30 + 4 working hours: 1 h on Friday, then Monday 09:00 + 3 h.
    assert add_working_hours(at(2026, 11, 20, 16, 30), 4) == at(2026, 11, 23, 12, 0)
    # Reported at night: the clock starts at 09:00.
    assert add_working_hours(at(2026, 11, 23, 22, 0), 1) == at(2026, 11, 24, 10, 0)
    # Before National Day: 30 Sep 17:00 + 1 h → 8 Oct 09:30 (1-7 Oct off).
    assert add_working_hours(at(2026, 9, 30, 17, 0), 1) == at(2026, 10, 8, 9, 30)


def test_working_days_end_at_the_end_of_the_working_day():
    assert add_working_days(at(2026, 11, 20, 10, 0), 1) == at(2026, 11, 23, 17, 30)
    assert add_working_days(at(2026, 9, 30, 10, 0), 2) == at(2026, 10, 9, 17, 30)
