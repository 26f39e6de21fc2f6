"""Two tablets on one revival case at once (PostgreSQL threads): nothing is lost or half-written."""

import pytest

from concierge.models import ContactLog
from tasks.models import RevivalAttempt, RevivalCase, RevivalQuota
from tasks.revival import cases
from tests.factories import MemberFactory
from tests.races import race
from tests.revival import factories as rv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(store, vip_manager):
    campaign = rv.campaign(store)
    rv.quota(campaign, vip_manager, share=2, target=1)
    return rv.case(campaign, MemberFactory(store=store, value_class="A"), vip_manager)


def test_the_staff_member_and_the_manager_record_at_once(case, vip_manager, store_manager):
    outcome = race(
        lambda: cases.record_attempt(case, vip_manager, channel="phone", reached=True, reason="busy"),
        lambda: cases.record_attempt(case, store_manager, channel="visit", reached=False),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 2 and not outcome.refusals
    fresh = RevivalCase.objects.get(pk=case.pk)
    assert fresh.attempts_count == 2 == RevivalAttempt.objects.filter(case=case).count()
    assert ContactLog.objects.filter(member=case.member).count() == 2


def test_an_attempt_and_closing_as_lost_at_once(case, vip_manager, store_manager):
    quota = RevivalQuota.objects.get(staff=vip_manager)
    outcome = race(
        lambda: cases.record_attempt(case, vip_manager, channel="phone", reached=False),
        lambda: cases.mark_lost(case, store_manager, "移居海外"),
    )
    assert outcome.overlapped
    fresh = RevivalCase.objects.get(pk=case.pk)
    assert fresh.state == RevivalCase.State.LOST
    # Either the attempt came first and counts, or it was refused and left nothing behind.
    attempts = RevivalAttempt.objects.filter(case=case).count()
    assert attempts == len(outcome.results) - 1 == fresh.attempts_count
    assert ContactLog.objects.filter(member=case.member).count() == attempts
    assert RevivalQuota.objects.get(pk=quota.pk).share == 2
