"""Small things the tests share: what htmx sends, and a clock the test sets."""

import contextlib
import datetime as dt
from unittest import mock

from django.utils import timezone

# What htmx sends with every request it makes: views answer it with a partial.
HTMX = {"HTTP_HX_REQUEST": "true"}


# ---- a clock the test sets ---------------------------------------------------------------------


def at(*args):
    """An aware moment in the store's time zone: at(2026, 12, 1, 10, 30)."""
    return dt.datetime(*args, tzinfo=timezone.get_default_timezone())


class Clock:
    """timezone.now() as the test sets it, for the actions, the jobs and the pages."""

    def __init__(self, moment):
        self.now = moment

    def set(self, *args):
        self.now = at(*args)
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)
        return self.now


@contextlib.contextmanager
def frozen_clock(moment):
    """A Clock standing at `moment` until the test moves it."""
    state = Clock(moment)
    with mock.patch("django.utils.timezone.now", lambda: state.now):
        yield state
