"""Time-driven work: each app's `jobs.py` registers functions here, and `manage.py tick` runs them.

A job takes the local date (`as_of`) and returns a short summary for the log. Every job must be
idempotent and safe to run twice at once: tick runs every minute, and cron does not wait.
"""

from django.utils.module_loading import autodiscover_modules

_registry = []


def job(func):
    """Register a job; apps use it as a decorator in their jobs.py."""
    if func not in _registry:
        _registry.append(func)
    return func


def run_jobs(as_of):
    autodiscover_modules("jobs")
    return {f"{func.__module__}.{func.__name__}": func(as_of=as_of) for func in _registry}
