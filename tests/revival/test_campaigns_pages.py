"""The campaign pages and the revival settings page: per role and store, forms and refusals."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, StaffAbsence
from concierge.roles import Role
from tasks.models import RevivalCampaign, RevivalCase, RevivalQuota, RevivalSettings
from tests.factories import StaffFactory
from tests.revival import factories
from tests.revival.test_campaigns_open import END, START, dormant


def text(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def new_post(people, **extra):
    data = {
        "name": "一月激活",
        "start": START.isoformat(),
        "end": END.isoformat(),
        "min_amount": "500",
        "window_days": "30",
        "return_days": "14",
        "target_percent": "20",
        "stall_days": "7",
        "exclude_self_rung": "on",
        "reward_a": "200",
        "reward_b": "120",
        "reward_c": "80",
        "reward_other": "50",
        "quota_bonus": "500",
        "staff": [p.pk for p in people],
        "intent": "open",
    }
    for person in people:
        data[f"weight_{person.pk}"] = "1"
    data.update(extra)
    return data


@pytest.fixture
def vip2(store):
    return StaffFactory(store=store, username="vip2", display_name="张伟", roles=[Role.VIP_MANAGER])


# ---- who sees what ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("store_manager", 200), ("vip_manager", 200), ("front_desk", 403), ("complaint_handler", 403)],
)
def test_the_list_and_the_campaign_per_role(request, client_for, store, persona, status, english):
    campaign = factories.campaign(store, start=START, end=END)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("tasks:revival_campaigns")).status_code == status
    assert client.get(reverse("tasks:revival_campaign", args=[campaign.pk])).status_code == status


def test_another_stores_campaign_is_not_found(client_for, store, other_manager):
    campaign = factories.campaign(store, start=START, end=END)
    client = client_for(other_manager)
    assert client.get(reverse("tasks:revival_campaign", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("tasks:revival_campaign_close", args=[campaign.pk])).status_code == 404
    assert campaign.name not in text(client.get(reverse("tasks:revival_campaigns")))


def test_vip_managers_read_only_and_see_their_own_part(
    client_for, store, store_manager, vip_manager, vip2, english
):
    campaign = factories.campaign(store, start=START, end=END)
    factories.quota(campaign, vip_manager, share=12, target=3)
    factories.quota(campaign, vip2, share=17, target=4)
    client = client_for(vip_manager)
    page = text(client.get(reverse("tasks:revival_campaign", args=[campaign.pk])))
    assert "Your part" in page and "王丽" in page and "张伟" not in page
    assert "Close the campaign" not in page
    for name in ("revival_campaign_close", "revival_campaign_settle", "revival_campaign_open"):
        assert client.post(reverse(f"tasks:{name}", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("tasks:revival_campaign_new")).status_code == 403
    manager_page = text(client_for(store_manager).get(reverse("tasks:revival_campaign", args=[campaign.pk])))
    assert "王丽" in manager_page and "张伟" in manager_page and "Close the campaign" in manager_page
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.OPEN


# ---- a new campaign -------------------------------------------------------------------------------


def test_the_new_form_lists_the_vip_managers_and_marks_those_on_leave(
    client_for, store, store_manager, vip_manager, vip2, english
):
    first = timezone.localdate().replace(day=1)
    StaffAbsence.objects.create(
        store=store, staff=vip2, first_day=first - dt.timedelta(1), last_day=first + dt.timedelta(40)
    )
    RevivalSettings.objects.create(store=store, min_amount=Decimal("777"))
    response = client_for(store_manager).get(reverse("tasks:revival_campaign_new"))
    content = response.content.decode()
    assert "777" in content
    assert re.search(rf'value="{vip_manager.pk}"[^>]*checked', content)
    assert not re.search(rf'value="{vip2.pk}"[^>]*checked', content)
    assert "on leave" in text(response)


def test_preview_writes_nothing_and_shows_the_spread(
    client_for, store, store_manager, vip_manager, vip2, english
):
    dormant(store, 5)
    response = client_for(store_manager).post(
        reverse("tasks:revival_campaign_new"), new_post([vip_manager, vip2], intent="preview")
    )
    assert response.status_code == 200
    page = text(response)
    assert "5 members in the pool" in page
    assert not RevivalCampaign.objects.exists()


def test_opening_from_the_page(client_for, store, store_manager, vip_manager, vip2):
    dormant(store, 6)
    response = client_for(store_manager).post(
        reverse("tasks:revival_campaign_new"), new_post([vip_manager, vip2], **{f"weight_{vip2.pk}": "0.5"})
    )
    campaign = RevivalCampaign.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "tasks:revival_campaign", args=[campaign.pk]
    )
    assert campaign.state == RevivalCampaign.State.OPEN and campaign.pool_size == 6
    assert dict(RevivalQuota.objects.values_list("staff_id", "share")) == {vip_manager.pk: 4, vip2.pk: 2}


def test_bad_input_comes_back_with_errors_and_nothing_written(
    client_for, store, store_manager, vip_manager, english
):
    dormant(store, 2)
    client = client_for(store_manager)
    for bad in (
        {"end": (START - dt.timedelta(days=1)).isoformat()},
        {"staff": []},
        {f"weight_{vip_manager.pk}": "50"},
        {"target_percent": "0"},
        {"start": "not a date"},
    ):
        response = client.post(reverse("tasks:revival_campaign_new"), new_post([vip_manager], **bad))
        assert response.status_code == 200, bad
        assert "field-error" in response.content.decode() or "form-errors" in response.content.decode()
    assert not RevivalCampaign.objects.exists()


def test_a_refusal_is_shown_on_the_form(client_for, store, store_manager, vip_manager, english):
    response = client_for(store_manager).post(reverse("tasks:revival_campaign_new"), new_post([vip_manager]))
    assert response.status_code == 200 and "Nobody is in the pool" in text(response)
    assert not RevivalCampaign.objects.exists()


def test_a_draft_then_opened_from_its_page(client_for, store, store_manager, vip_manager, english):
    dormant(store, 3)
    client = client_for(store_manager)
    client.post(reverse("tasks:revival_campaign_new"), new_post([vip_manager], intent="draft"))
    campaign = RevivalCampaign.objects.get()
    assert campaign.state == RevivalCampaign.State.DRAFT
    page = text(client.get(reverse("tasks:revival_campaign", args=[campaign.pk])))
    assert "Open the campaign" in page
    open_url = reverse("tasks:revival_campaign_open", args=[campaign.pk])
    preview = client.post(open_url, {"staff": [vip_manager.pk], "intent": "preview"})
    assert "3 members in the pool" in text(preview)
    response = client.post(open_url, {"staff": [vip_manager.pk], "intent": "open"})
    assert response.status_code == 302
    assert RevivalCampaign.objects.get().state == RevivalCampaign.State.OPEN
    again = client.post(open_url, {"staff": [vip_manager.pk], "intent": "open"})
    assert again.status_code == 200 and "already open" in text(again)


def test_close_and_settle_from_the_page(client_for, store, store_manager, vip_manager, english):
    campaign = factories.campaign(store, start=START, end=END)
    factories.case(campaign, dormant(store)[0], vip_manager)
    client = client_for(store_manager)
    response = client.post(reverse("tasks:revival_campaign_close", args=[campaign.pk]), {"reason": "月底"})
    assert response.status_code == 302
    assert RevivalCase.objects.get().state == RevivalCase.State.CLOSED
    page = text(client.get(reverse("tasks:revival_campaign", args=[campaign.pk])))
    assert "Settle the campaign" in page
    again = client.post(reverse("tasks:revival_campaign_close", args=[campaign.pk]))
    assert again.status_code == 200 and "Already" in text(again)
    client.post(reverse("tasks:revival_campaign_settle", args=[campaign.pk]))
    assert RevivalCampaign.objects.get().state == RevivalCampaign.State.SETTLED


# ---- the revival settings in Settings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("store_manager", 200), ("vip_manager", 403), ("front_desk", 403), ("other_manager", 200)],
)
def test_the_settings_page_per_role(request, client_for, persona, status, store):
    assert (
        client_for(request.getfixturevalue(persona)).get(reverse("tasks:revival_setup")).status_code == status
    )


def test_settings_are_saved_audited_and_listed_in_recent_changes(
    client_for, store, store_manager, other_manager, english
):
    client = client_for(store_manager)
    data = {
        "lost_for_good_months": "12", "min_amount": "600", "window_days": "30", "return_days": "14",
        "target_percent": "25", "stall_days": "7", "exclude_self_rung": "on", "reward_a": "200",
        "reward_b": "120", "reward_c": "80", "reward_other": "50", "quota_bonus": "500",
    }  # fmt: skip
    assert client.post(reverse("tasks:revival_setup"), data).status_code == 302
    row = RevivalSettings.objects.get(store=store)
    assert (
        row.lost_for_good_months == 12
        and row.min_amount == Decimal("600")
        and row.updated_by == store_manager
    )
    entry = AuditEntry.objects.get(action="revival_setup.changed")
    assert set(entry.data["changed"]) == {"lost_for_good_months", "min_amount", "target_percent"}
    client.post(reverse("tasks:revival_setup"), data)
    assert AuditEntry.objects.filter(action="revival_setup.changed").count() == 1
    changes = text(client.get(reverse("concierge:setup_changes")))
    assert "Revival settings changed" in changes and "600" in changes
    assert "Revival settings changed" not in text(
        client_for(other_manager).get(reverse("concierge:setup_changes"))
    )
    settings_page = client.get(reverse("concierge:setup_staff"))
    assert reverse("tasks:revival_setup") in settings_page.content.decode()
    bad = client.post(reverse("tasks:revival_setup"), {**data, "reward_a": "-5", "target_percent": "101"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    assert RevivalSettings.objects.get(store=store).target_percent == 25


def test_a_new_campaign_takes_the_saved_settings(client_for, store, store_manager):
    RevivalSettings.objects.create(store=store, window_days=45, quota_bonus=Decimal("900"))
    page = client_for(store_manager).get(reverse("tasks:revival_campaign_new")).content.decode()
    assert 'value="45"' in page and 'value="900.00"' in page
