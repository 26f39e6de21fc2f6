"""Dates from the Chinese calendar: the festivals, the solar terms that open each season, and
lunar birthdays. lunar-python does the astronomy; nothing here is a hand-typed table of dates.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar, LunarMonth, Solar

# (key, lunar month, lunar day, name): the festivals a store greets its members on.
FESTIVALS = (
    ("spring_festival", 1, 1, _("Spring Festival")),
    ("lantern", 1, 15, _("Lantern Festival")),
    ("qixi", 7, 7, _("Qixi Festival")),
    ("mid_autumn", 8, 15, _("Mid-Autumn Festival")),
    ("double_ninth", 9, 9, _("Double Ninth Festival")),
)

# (key, lunar-python's name of the solar term, name): the four terms that open the seasons.
SEASON_TERMS = (
    ("lichun", "立春", _("Start of Spring")),
    ("lixia", "立夏", _("Start of Summer")),
    ("liqiu", "立秋", _("Start of Autumn")),
    ("lidong", "立冬", _("Start of Winter")),
)


def _date(solar):
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def lunar_to_solar(lunar_year, month, day):
    """The solar date of a lunar month and day in a lunar year; day 30 of a 29-day month is its last day."""
    day = min(day, LunarMonth.fromYm(lunar_year, month).getDayCount())
    return _date(Lunar.fromYmd(lunar_year, month, day).getSolar())


def festivals(year):
    """[(key, name, date)] of the festivals of lunar year `year`, which all fall in solar year `year`."""
    return [(key, name, lunar_to_solar(year, month, day)) for key, month, day, name in FESTIVALS]


def season_starts(year):
    """[(key, name, date)] of 立春, 立夏, 立秋 and 立冬 in solar year `year`."""
    # The table of a date in mid-year runs from the winter before to the winter after.
    table = Lunar.fromYmd(year, 6, 1).getJieQiTable()
    starts = []
    for key, term, name in SEASON_TERMS:
        day = _date(table[term])
        if day.year != year:  # pragma: no cover - the four terms always fall in their solar year
            raise ValueError(f"{term} of {year} fell on {day}")
        starts.append((key, name, day))
    return starts


def lunar_birthdays_between(month, day, start, end):
    """The solar dates from `start` to `end` (inclusive) on which a lunar birthday falls.

    A lunar year starts in late January or February, so the lunar years that begin in the solar
    years around the range are tried: a birthday in the twelfth month falls in the next January.
    """
    found = []
    for lunar_year in range(start.year - 1, end.year + 1):
        solar = lunar_to_solar(lunar_year, month, day)
        if start <= solar <= end:
            found.append((lunar_year, solar))
    return found


def lunar_date(solar_day):
    """(lunar year, month, day) of a solar date, for showing a lunar birthday on the profile."""
    lunar = Solar.fromYmd(solar_day.year, solar_day.month, solar_day.day).getLunar()
    return lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()


def ensure_festivals(store, years):
    """Fill in the store's holiday calendar with the festivals of `years`; returns how many were new.

    A festival already filled in is left as the store made it (renamed, moved, greetings off), and a
    store's own dates are never touched. Names are written in the store's language.
    """
    from django.utils import translation

    from tasks.models import Holiday

    with translation.override(store.default_language):
        rows = [
            Holiday(store=store, name=str(name), date=day, source=f"{key}:{year}")
            for year in years
            for key, name, day in festivals(year)
        ]
    sources = [row.source for row in rows]
    before = Holiday.objects.filter(store=store, source__in=sources).count()
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    return Holiday.objects.filter(store=store, source__in=sources).count() - before
