import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.models import Store
from concierge.refresh import refresh_members


class Command(BaseCommand):
    help = (
        "Recompute members' 12-month spend, value class (A/B/C), lifecycle state and tier as of a date. "
        "Run it nightly from cron; it is safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="Local date to compute for (default: today)."
        )
        parser.add_argument(
            "--store", metavar="CODE", action="append", help="Only this store (repeat for several)."
        )

    def handle(self, *args, as_of=None, store=None, verbosity=1, **options):
        if as_of:
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(
                    _("--as-of must be a date like 2026-07-31, not %(value)s") % {"value": as_of}
                ) from exc
        else:
            as_of = timezone.localdate()
        stores = None
        if store:
            stores = list(Store.objects.filter(code__in=store).select_related("tier_program"))
            missing = sorted(set(store) - {s.code for s in stores})
            if missing:
                raise CommandError(_("No store with the code %(codes)s") % {"codes": ", ".join(missing)})
        started = timezone.now()
        counts = refresh_members(as_of=as_of, stores=stores)
        if verbosity:
            seconds = (timezone.now() - started).total_seconds()
            for code, members in counts.items():
                self.stdout.write(
                    _("%(store)s: %(members)s members refreshed as of %(date)s")
                    % {"store": code, "members": members, "date": as_of.isoformat()}
                )
            self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": seconds})
