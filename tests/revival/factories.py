"""Revival objects for tests, made directly (no actions), so each part can be tested on its own."""

import datetime as dt

from django.utils import timezone

from tasks.models import RevivalAttempt, RevivalCampaign, RevivalCase, RevivalQuota, RevivalSettings
from tasks.models.revival import CAMPAIGN_TERMS


def campaign(store, *, name="十二月激活", start=None, end=None, state=RevivalCampaign.State.OPEN, **terms):
    """A campaign with the store's default terms (override any of CAMPAIGN_TERMS)."""
    today = timezone.localdate()
    defaults = RevivalSettings(store=store)
    values = {name_: getattr(defaults, name_) for name_ in CAMPAIGN_TERMS}
    values.update(terms)
    return RevivalCampaign.objects.create(
        store=store,
        name=name,
        start=start or today.replace(day=1),
        end=end or (today.replace(day=1) + dt.timedelta(days=40)).replace(day=1) - dt.timedelta(days=1),
        state=state,
        opened_at=timezone.now() if state != RevivalCampaign.State.DRAFT else None,
        **values,
    )


def quota(campaign_, staff, *, share=0, target=0, weight=1):
    return RevivalQuota.objects.create(
        campaign=campaign_, staff=staff, share=share, target=target, weight=weight
    )


def case(campaign_, member, staff, *, state=RevivalCase.State.OPEN, **fields):
    return RevivalCase.objects.create(
        store=campaign_.store,
        campaign=campaign_,
        member=member,
        staff=staff,
        state=state,
        value_class=fields.pop("value_class", member.value_class),
        **fields,
    )


def attempt(case_, staff=None, *, at=None, reached=True, channel="phone", **fields):
    """An attempt as recorded; the case's counters follow, as the action would set them.

    The state field is protected: read the case again (`made.case` is a fresh copy)."""
    made = RevivalAttempt.objects.create(
        store=case_.store,
        case=case_,
        campaign_id=case_.campaign_id,
        staff=staff or case_.staff,
        at=at or timezone.now(),
        channel=channel,
        reached=reached,
        **fields,
    )
    told = {}
    if made.reached:
        # As record_attempt keeps them, whatever order the test makes its attempts in: the latest
        # reason a reached member gave.
        told["reached"] = True
        latest = (
            RevivalAttempt.objects.filter(case=case_, reached=True)
            .exclude(reason="")
            .order_by("-at", "-id")
            .values_list("reason", flat=True)
            .first()
        )
        told["last_reason"] = latest or ""
    RevivalCase.objects.filter(pk=case_.pk).update(
        state=RevivalCase.State.CONTACTED if case_.state == RevivalCase.State.OPEN else case_.state,
        attempts_count=case_.attempts_count + 1,
        last_attempt_at=made.at,
        **told,
    )
    made.case = RevivalCase.objects.get(pk=case_.pk)
    return made
