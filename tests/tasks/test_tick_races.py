"""Two ticks at once on PostgreSQL: the unique constraint leaves exactly one task per period."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from concierge.refresh import refresh_members
from tasks.jobs import generate_care_tasks
from tasks.models import CareTask
from tests.factories import MemberFactory, PurchaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AS_OF = dt.date(2026, 5, 20)


def test_concurrent_ticks_make_each_task_once(store):
    members = [MemberFactory(store=store, birthday=dt.date(1980, 5, 21)) for _ in range(30)]
    for member in members:
        PurchaseFactory(
            member=member,
            amount=Decimal("300"),
            purchased_at=timezone.make_aware(dt.datetime(2026, 5, 12, 12)),
        )
    refresh_members(as_of=AS_OF)
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            generate_care_tasks(as_of=AS_OF)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert CareTask.objects.count() == 60  # a new-member call and a birthday greeting each
