"""python manage.py open_revival_campaign --store CODE --name NAME --start YYYY-MM-DD --end YYYY-MM-DD
[--staff user1,user2] [--weights user1=0.5]: draft and open a revival campaign (a monthly cron)."""

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concierge.errors import ActionRefused
from concierge.models import Staff, Store
from tasks.models import RevivalQuota
from tasks.revival import campaigns


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = (
        "Open a revival campaign: the store's dormant and lost members on the first day, spread evenly "
        "over the staff (by default the store's active VIP managers not on leave that day). "
        "Prints the pool size and each person's share and target."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="the store's code")
        parser.add_argument("--name", required=True, help="the campaign's name, unique in the store")
        parser.add_argument("--start", required=True, type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, type=_date, help="last day, YYYY-MM-DD")
        parser.add_argument("--staff", default="", help="usernames, comma-separated")
        parser.add_argument(
            "--weights", default="", help="username=weight pairs, comma-separated (default 1 each)"
        )

    def handle(self, *args, store, name, start, end, staff, weights, **options):
        store = Store.objects.filter(code=store).first() or _fail(f"No store with the code {store!r}.")
        people = self._people(store, staff, start)
        chosen = {person.pk: Decimal("1") for person in people}
        by_name = {person.username: person for person in people}
        for pair in filter(None, (p.strip() for p in weights.split(","))):
            username, _sep, value = pair.partition("=")
            if username not in by_name:
                _fail(f"--weights names {username!r}, who is not among the staff given members.")
            try:
                chosen[by_name[username].pk] = Decimal(value)
            except InvalidOperation:
                _fail(f"Not a weight: {pair!r} (e.g. {username}=0.5).")
        try:
            with transaction.atomic():
                campaign = campaigns.draft_campaign(store, None, name=name, start=start, end=end)
                campaign = campaigns.open_campaign(campaign, None, chosen)
        except ActionRefused as refusal:
            raise CommandError(str(refusal.message)) from refusal
        self.stdout.write(f"{campaign.name} ({store.code}, {start} to {end}): {campaign.pool_size} members")
        for quota in RevivalQuota.objects.filter(campaign=campaign).select_related("staff").order_by("staff"):
            self.stdout.write(
                f"  {quota.staff.username:<20} {quota.staff!s:<12} weight {quota.weight:>5}  "
                f"members {quota.share:>6}  target {quota.target:>5}"
            )

    def _people(self, store, staff, start):
        if not staff:
            everyone = list(campaigns.vip_managers(store.pk))
            away = campaigns.staff_on_leave([p.pk for p in everyone], start)
            for person in everyone:
                if person.pk in away:
                    self.stdout.write(f"left out, on leave on {start}: {person.username}")
            people = [p for p in everyone if p.pk not in away]
            if not people:
                _fail(f"The store {store.code} has no active VIP manager who is at work on {start}.")
            return people
        usernames = [u.strip() for u in staff.split(",") if u.strip()]
        found = {p.username: p for p in Staff.objects.filter(username__in=usernames)}
        missing = [u for u in usernames if u not in found]
        if missing:
            _fail(f"No staff member with the username {', '.join(missing)}.")
        return [found[u] for u in usernames]


def _fail(message):
    raise CommandError(message)
