"""Which user names django-axes has locked out, and unlocking one (the store manager's unlock path).

Failures are counted per user name and per address; a user name is locked while its failures within
the cool-off reach the limit. Unlocking deletes the user name's recorded failures, which also takes
them off the count of the addresses they came from.
"""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _recent(attempts):
    cool_off = get_cool_off()
    return attempts.filter(attempt_time__gte=timezone.now() - cool_off) if cool_off else attempts


def locked_usernames(usernames):
    """The user names among `usernames` that cannot log in now (one query)."""
    rows = (
        _recent(AccessAttempt.objects.filter(username__in=list(usernames)))
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {row["username"] for row in rows if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def is_locked(username):
    return username in locked_usernames([username])


def unlock(username):
    """Forget the user name's failed logins; returns how many records went."""
    from axes.utils import reset

    return reset(username=username)
