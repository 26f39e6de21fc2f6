import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.jobs import run_jobs


class Command(BaseCommand):
    help = (
        "Run the time-driven jobs of every app (care tasks, ...). Cron runs it every minute; safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="Local date to run for (default: today).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run the daily jobs again even if they already ran for that date.",
        )

    def handle(self, *args, as_of=None, force=False, verbosity=1, **options):
        if as_of:
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(
                    _("--as-of must be a date like 2026-07-31, not %(value)s") % {"value": as_of}
                ) from exc
        else:
            as_of = timezone.localdate()
        for name, summary in run_jobs(as_of, force=force).items():
            if verbosity > 1 or (verbosity and summary):
                self.stdout.write(f"{name}: {summary}")
