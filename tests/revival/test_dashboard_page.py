"""The store manager's revival dashboard: who may see it, which campaign it shows, its live refresh."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from concierge.roles import Role
from tasks.models import RevivalCampaign
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX
from tests.revival import factories as rf

pytestmark = pytest.mark.django_db

URL = reverse("tasks:revival_dashboard")


@pytest.fixture
def campaign(store, vip_manager):
    made = rf.campaign(store, name="十二月激活")
    rf.quota(made, vip_manager, share=2, target=1)
    tried = rf.case(made, MemberFactory(store=store), vip_manager)
    rf.case(made, MemberFactory(store=store), vip_manager)
    rf.attempt(tried, reason="moved", remedy="taxi")
    return made


def test_the_store_manager_sees_the_open_campaign_by_default(
    client_for, store_manager, campaign, store, english
):
    rf.campaign(store, name="older", start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    rf.campaign(
        store,
        name="next, still a draft",
        start=campaign.start + dt.timedelta(days=60),
        end=campaign.end + dt.timedelta(days=60),
        state=RevivalCampaign.State.DRAFT,
    )
    page = client_for(store_manager).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["campaign"] == campaign
    assert "十二月激活" in html and "王丽" in html
    assert "Moved away" in html and "Taxi paid" in html
    # The figures reload themselves on the socket's signal; the picker offers every campaign.
    assert re.search(r'id="revival-figures"[^>]*data-refresh-on-revival', html)
    assert f'hx-get="{URL}?campaign={campaign.pk}"' in html
    assert html.count("<option") == 3
    assert "<svg" in html and 'class="target-line"' in html


def test_without_an_open_campaign_the_latest_is_shown(client_for, store_manager, store):
    rf.campaign(store, name="older", start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31), state="closed")
    latest = rf.campaign(
        store, name="latest", start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), state="settled"
    )
    page = client_for(store_manager).get(URL)
    assert page.context["campaign"] == latest


def test_a_campaign_is_picked(client_for, store_manager, campaign, store):
    older = rf.campaign(store, name="older", start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    page = client_for(store_manager).get(URL, {"campaign": older.pk})
    assert page.status_code == 200
    assert page.context["campaign"] == older
    assert f'<option value="{older.pk}" selected>' in page.content.decode()


def test_another_stores_campaign_is_not_found(client_for, store_manager, other_store, campaign):
    theirs = rf.campaign(other_store, name="他们的激活")
    assert client_for(store_manager).get(URL, {"campaign": theirs.pk}).status_code == 404
    assert client_for(store_manager).get(URL, {"campaign": 2**62}).status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-1", str(2**64), "1.5"])
def test_a_bad_campaign_is_a_field_error_and_the_default_is_shown(
    client_for, store_manager, campaign, bad, english
):
    page = client_for(store_manager).get(URL, {"campaign": bad})
    assert page.status_code == 200
    assert page.context["form"].errors["campaign"]
    assert 'class="field-error"' in page.content.decode()
    assert page.context["campaign"] == campaign


def test_no_campaign_yet_says_how_to_open_one(client_for, store_manager, english):
    page = client_for(store_manager).get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "No revival campaign yet" in html
    assert "open_revival_campaign --store bj01" in html
    # Even empty, the page is live: the first campaign shows up when the figures change.
    assert "data-refresh-on-revival" in html


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_only_the_store_manager(client_for, request, persona, campaign):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 403
    assert client_for(user).get(URL, **HTMX).status_code == 403


def test_the_other_stores_manager_sees_only_their_own(client_for, other_manager, campaign, english):
    page = client_for(other_manager).get(URL)
    assert page.status_code == 200
    assert page.context["campaign"] is None
    assert "十二月激活" not in page.content.decode()
    assert client_for(other_manager).get(URL, {"campaign": campaign.pk}).status_code == 404


def test_a_superuser_of_no_store_is_refused(client):
    from concierge.models import Staff

    client.force_login(Staff.objects.create_superuser("root", password="pw-root-123"))
    assert client.get(URL).status_code == 403


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_live_refresh_draws_only_the_figures(client_for, store_manager, campaign, vip_manager, store):
    client = client_for(store_manager)
    before = client.get(URL, {"campaign": campaign.pk}, **HTMX)
    assert before.status_code == 200
    html = before.content.decode()
    assert html.lstrip().startswith('<div id="revival-figures"')
    assert "<html" not in html and 'name="campaign"' not in html
    assert before.context["figures"]["totals"]["contacted"] == 1
    # A second attempt is recorded elsewhere: the next refresh has it.
    second = campaign.cases.exclude(attempts_count__gt=0).get()
    rf.attempt(second, reached=False)
    after = client.get(URL, {"campaign": campaign.pk}, **HTMX)
    assert after.context["figures"]["totals"]["contacted"] == 2
    assert "Vary" in after and "HX-Request" in after["Vary"]


def test_the_store_manager_has_the_revival_link(client_for, store_manager, vip_manager, english):
    page = client_for(store_manager).get(reverse("tasks:team"))
    assert f'href="{URL}"' in page.content.decode()
    page = client_for(vip_manager).get(reverse("tasks:my_day"))
    assert f'href="{URL}"' not in page.content.decode()


def test_every_page_holds_the_signal_the_push_swaps(client_for, vip_manager):
    html = client_for(vip_manager).get(reverse("tasks:my_day")).content.decode()
    assert '<div id="revival-signal" hidden></div>' in html
    assert "js/revival.js" in html


def test_a_person_outside_the_spread_who_holds_a_case_is_on_the_board(
    client_for, store_manager, campaign, store
):
    helper = StaffFactory(store=store, display_name="临时帮手", roles=[Role.VIP_MANAGER])
    rf.case(campaign, MemberFactory(store=store), helper)
    html = client_for(store_manager).get(URL).content.decode()
    assert "临时帮手" in html


def _page_queries(client, campaign, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"campaign": campaign.pk}, **headers).status_code == 200
    return len(captured.captured_queries)


def test_the_page_and_its_refresh_cost_the_same_queries_at_5_and_at_40_cases(
    client_for, store_manager, store
):
    people = [StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(3)]
    sizes = {}
    for name, count in (("small", 5), ("big", 40)):
        made = rf.campaign(store, name=name)
        for person in people:
            rf.quota(made, person, share=count // 3, target=2)
        for n in range(count):
            case = rf.case(made, MemberFactory(store=store), people[n % 3])
            if n % 2:
                rf.attempt(case, reason="busy", remedy="gift")
        sizes[name] = made
    client = client_for(store_manager)
    client.get(URL)  # the session and the content types, once
    for headers in ({}, HTMX):
        assert _page_queries(client, sizes["small"], **headers) == _page_queries(
            client, sizes["big"], **headers
        )
