"""Time-driven work: each app's `jobs.py` registers functions here, and `manage.py tick` runs them.

A job takes the local date (`as_of`) and returns a short summary for the log. Every job must be
idempotent and safe to run twice at once: tick runs every minute, and cron does not wait.

`@job` runs at every tick (waking snoozed tasks, due alerts: cheap, indexed queries). `@job(daily=True)`
runs at the first tick of each local date and is then skipped for that date, so the heavy
generation over every member costs once a day, not once a minute.
"""

from django.utils.module_loading import autodiscover_modules

_registry = []


def job(func=None, *, daily=False):
    """Register a job; apps use it as a decorator in their jobs.py: `@job` or `@job(daily=True)`."""

    def register(func):
        func.job_daily = daily
        if func not in _registry:
            _registry.append(func)
        return func

    return register(func) if func is not None else register


def job_name(func):
    return f"{func.__module__}.{func.__name__}"


def run_jobs(as_of, *, force=False):
    """Run the registered jobs in registration order; `force` runs daily jobs that already ran."""
    from concierge.models import JobRun

    autodiscover_modules("jobs")
    done_today = set() if force else set(JobRun.objects.filter(day=as_of).values_list("name", flat=True))
    summaries = {}
    for func in _registry:
        name = job_name(func)
        if func.job_daily and name in done_today:
            continue
        summaries[name] = summary = func(as_of=as_of)
        if func.job_daily:
            JobRun.objects.bulk_create(
                [JobRun(name=name, day=as_of, summary=summary or {})], ignore_conflicts=True
            )
    return summaries


# The core's own jobs register on import, after `job` exists (the apps' jobs.py are autodiscovered).
from concierge.appointments import jobs as _appointment_jobs  # noqa: E402, F401
