"""Settling a campaign while a till's purchase credits one of its cases (PostgreSQL threads)."""

import datetime as dt
import logging
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from concierge.errors import ActionRefused
from tasks.models import RevivalCampaign, RevivalCase, RevivalCredit
from tasks.revival.campaigns import settle_campaign
from tasks.revival.credit import credit_purchases
from tests.factories import MemberFactory, PurchaseFactory
from tests.revival import factories as rv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _locks_cases(sql):
    _head, found, tail = sql.partition("FOR UPDATE")
    return bool(found) and "tasks_revivalcase" in tail


def test_settling_while_a_credit_is_written_neither_deadlocks_nor_settles_it(
    store, vip_manager, store_manager, caplog
):
    """The credit holds the case and then writes a row referring to the campaign; settling holds the
    campaign and then closes the case. The campaign is locked without key update, so the credit's
    key check does not wait for it: the credit goes through first, and settling is refused."""
    campaign = rv.campaign(store, state=RevivalCampaign.State.CLOSED, min_amount=Decimal("500"))
    member = MemberFactory(store=store, value_class="A")
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=timezone.now() - dt.timedelta(hours=1))
    purchase = PurchaseFactory(member=member, purchased_at=timezone.now(), amount=Decimal("900"))

    case_locked, settle_waits = threading.Event(), threading.Event()
    outcome, errors = {}, []

    def hold_the_case(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if _locks_cases(sql) and not case_locked.is_set():
            case_locked.set()
            settle_waits.wait(10)  # settling now waits for this case
        return result

    def crediting():
        try:
            with connection.execute_wrapper(hold_the_case):
                outcome["credit"] = credit_purchases(store, [purchase.pk])
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def settling():
        try:
            case_locked.wait(10)
            with translation.override("en"):
                settle_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager)
            outcome["settle"] = "settled"
        except ActionRefused as refusal:
            outcome["settle"] = str(refusal.message)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=crediting), threading.Thread(target=settling)]
    with caplog.at_level(logging.INFO, logger="concierge.workflow"):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while time.monotonic() < deadline and not settle_waits.is_set():
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0]:
                    settle_waits.set()
                time.sleep(0.02)
        settle_waits.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert "concurrent change" not in caplog.text  # no deadlock, no retry
    assert outcome["credit"] == {"credited": 1, "clawed_back": 0}
    assert outcome["settle"].startswith("Not yet: 1 revivals can still be taken back")
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.CLOSED
    assert RevivalCase.objects.get(pk=case.pk).state == RevivalCase.State.REVIVED
    assert RevivalCredit.objects.get().state == RevivalCredit.State.PROVISIONAL
