"""The store manager's complaints page: its figures on a small hand-built set, who may see it, and
that its query count does not grow with the complaints."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import actions, figures
from complaints.models import Category, Complaint
from tests.complaints.conftest import at
from tests.factories import MemberFactory
from tests.helpers import HTMX

State = Complaint.State
URL = reverse("complaints:overview")
PERIOD = reverse("complaints:overview_period")


def make(store, category, *, state=State.CLOSED, recorded=None, **fields):
    """A complaint written straight to the database with the fields a test needs."""
    fields = {
        "customer_name": "散客",
        "channel": Complaint.Channel.COUNTER,
        "severity": "medium",
        "description": "hand-built",
        **fields,
    }
    complaint = Complaint.objects.create(
        store=store, category=category, recorded_at=recorded or at(2026, 11, 20, 11, 0), **fields
    )
    # The state field is protected: these tests build figures, not transitions.
    Complaint.objects.filter(pk=complaint.pk).update(state=state)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def service(store):
    return Category.objects.get(store=store, code="service_attitude")


# ---- what is open now ------------------------------------------------------------------------------


def test_open_complaints_by_state_and_age_late_due_soon_and_approval(
    clock, store, store_manager, complaint_handler, quality
):
    now = clock.now
    hour = dt.timedelta(hours=1)
    warned = make(
        store, quality, state=State.ROUTED, recorded=now - 2 * hour, handler=complaint_handler,
        sla_target="contact", contact_due_at=now + hour, warn_at=now - dt.timedelta(minutes=5),
    )  # fmt: skip
    late = make(
        store, quality, state=State.IN_PROGRESS, recorded=now - dt.timedelta(days=2),
        sla_target="resolution", resolve_due_at=now - hour, warn_at=now - 3 * hour,
    )  # fmt: skip
    # First contact was late; the resolution's clock runs, not yet due: late all the same.
    flagged = make(
        store, quality, state=State.IN_PROGRESS, recorded=now - dt.timedelta(days=5),
        sla_target="resolution", resolve_due_at=now + dt.timedelta(days=3), contact_breached=True,
        warn_at=now - hour,
    )  # fmt: skip
    warned_reopened = make(
        store, quality, state=State.REOPENED, recorded=now - dt.timedelta(days=10),
        sla_target="contact", contact_due_at=now + dt.timedelta(days=1), warn_at=now - hour,
    )  # fmt: skip
    # Not warned yet: neither late nor due soon, however close its deadline looks.
    quiet = make(
        store, quality, state=State.ROUTED, recorded=now - dt.timedelta(hours=30),
        sla_target="contact", contact_due_at=now + dt.timedelta(minutes=30), warn_at=now + hour,
    )  # fmt: skip
    # Waiting on the customer: the clock is stopped, so a passed deadline is not late.
    waiting = make(
        store, quality, state=State.WAITING, recorded=now - dt.timedelta(days=8),
        sla_target="resolution", resolve_due_at=now - hour, warn_at=now - 2 * hour,
        paused_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    approval = make(
        store, quality, state=State.AWAITING_APPROVAL, recorded=now - dt.timedelta(days=1, hours=1),
        compensation="refund", compensation_value=Decimal("800"), approval="pending",
    )  # fmt: skip
    make(store, quality, state=State.RESOLVED, recorded=now - dt.timedelta(days=20), resolve_breached=True)
    make(store, quality, state=State.CLOSED, recorded=now - hour)
    make(store, quality, state=State.CANCELLED, recorded=now - hour, contact_breached=True)

    got = figures.open_figures(store_manager)

    assert got["total"] == 8
    by_state = {row["code"]: row["count"] for row in got["by_state"]}
    assert by_state == {
        "new": 0, "routed": 2, "in_progress": 2, "waiting": 1,
        "awaiting_approval": 1, "resolved": 1, "reopened": 1,
    }  # fmt: skip
    assert {row["code"]: row["count"] for row in got["by_age"]} == {
        "day": 1,
        "days3": 3,
        "week": 1,
        "older": 3,
    }
    # Most overdue first; the flagged one's deadline is ahead.
    assert [c["pk"] for c in got["late"]] == [late.pk, flagged.pk]
    assert got["late_count"] == 2
    assert [c["pk"] for c in got["soon"]] == [warned.pk, warned_reopened.pk]
    assert got["soon_count"] == 2
    row = got["soon"][0]
    assert (row["number"], row["customer"], row["handler_name"]) == (
        f"#{warned.pk}",
        "散客",
        str(complaint_handler),
    )
    assert (row["category"], row["severity"], row["due"]) == (str(quality), "medium", now + hour)
    assert [c["pk"] for c in got["approval"]] == [approval.pk]
    shown = [c["pk"] for c in got["late"] + got["soon"]]
    assert quiet.pk not in shown and waiting.pk not in shown


def test_the_short_lists_stop_at_their_size_and_say_how_many(clock, store, store_manager, quality):
    for n in range(figures.LIST_SIZE + 3):
        make(
            store, quality, state=State.ROUTED, recorded=clock.now - dt.timedelta(hours=n + 2),
            sla_target="contact", contact_due_at=clock.now - dt.timedelta(minutes=n + 1),
        )  # fmt: skip
        make(
            store, quality, state=State.IN_PROGRESS, recorded=clock.now - dt.timedelta(hours=n + 2),
            sla_target="resolution", resolve_due_at=clock.now + dt.timedelta(minutes=50 - n),
            warn_at=clock.now - dt.timedelta(minutes=1),
        )  # fmt: skip
    got = figures.open_figures(store_manager)
    assert got["late_count"] == got["soon_count"] == figures.LIST_SIZE + 3
    assert len(got["late"]) == len(got["soon"]) == figures.LIST_SIZE
    # Most overdue first; nearest deadline first.
    late = [c["due"] for c in got["late"]]
    assert late == sorted(late) and late[0] == clock.now - dt.timedelta(minutes=figures.LIST_SIZE + 3)
    soon = [c["due"] for c in got["soon"]]
    assert soon == sorted(soon) and soon[0] == clock.now + dt.timedelta(minutes=50 - figures.LIST_SIZE - 2)


# ---- a period --------------------------------------------------------------------------------------


def test_handler_figures_median_average_satisfaction_reopen_and_breaches(
    store, store_manager, complaint_handler, handler2, quality
):
    a, b = complaint_handler, handler2
    resolved = at(2026, 11, 21, 15, 0)
    first = make(
        store, quality, handler=a, contact_minutes=10, resolve_minutes=100, resolved_at=resolved,
        satisfied=True, score=5,
    )  # fmt: skip
    make(
        store, quality, handler=a, contact_minutes=20, resolve_minutes=200, resolved_at=resolved,
        satisfied=False, score=2, reopen_count=1,
    )  # fmt: skip
    make(store, quality, state=State.IN_PROGRESS, handler=a, contact_minutes=60)
    # Cancelled: in no figure, however slow.
    make(store, quality, state=State.CANCELLED, handler=a, contact_minutes=5000, contact_breached=True)
    # The customer came back after the grace period: a new case for b, counted on its own, and a
    # reopening against a's first case.
    make(
        store, quality, state=State.ROUTED, handler=b, follows=first, recorded=at(2026, 11, 28, 10, 0),
        contact_breached=True,
    )  # fmt: skip
    # Nobody took it yet: a row of its own, last.
    make(store, quality, state=State.NEW)
    # Outside the period.
    make(store, quality, handler=b, contact_minutes=1, recorded=at(2026, 8, 1, 10, 0))

    got = figures.period_figures(store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    *handled, nobody = got["handlers"]
    assert (nobody["handler"], nobody["handled"], nobody["resolved"]) == (None, 1, 0)
    rows = {row["staff"]: row for row in handled}
    assert list(rows) == [a, b]
    ra = rows[a]
    assert ra["handled"] == 3
    assert ra["contact_median"] == 20
    assert ra["contact_avg"] == 30
    assert ra["resolve_median"] == 150
    assert ra["resolve_avg"] == 150
    assert ra["score_avg"] == 3.5
    assert (ra["satisfied"], ra["feedback"], ra["satisfied_share"]) == (1, 2, 50.0)
    # Both resolved ones came back: one reopened, one followed by a new case.
    assert (ra["came_back"], ra["resolved"], ra["came_back_share"]) == (2, 2, 100.0)
    assert ra["breaches"] == 0
    rb = rows[b]
    assert (rb["handled"], rb["breaches"], rb["resolved"], rb["came_back_share"]) == (1, 1, 0, None)
    assert rb["contact_median"] is None

    totals = got["totals"]
    assert totals["handled"] == 5
    assert totals["follow_ups"] == 1
    assert (totals["satisfied"], totals["feedback"], totals["score_avg"]) == (1, 2, 3.5)
    assert (totals["came_back"], totals["resolved"], totals["breaches"]) == (2, 2, 1)
    assert [c["follows_id"] for c in got["follow_ups"]] == [first.pk]


def test_a_follow_up_that_was_cancelled_is_no_reopening(store, store_manager, complaint_handler, quality):
    first = make(store, quality, handler=complaint_handler, resolved_at=at(2026, 11, 21, 15, 0))
    make(store, quality, state=State.CANCELLED, follows=first, handler=complaint_handler)
    got = figures.period_figures(store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    (row,) = got["handlers"]
    assert (row["handled"], row["came_back"], row["resolved"]) == (1, 0, 1)
    assert got["follow_ups"] == []
    assert got["totals"]["follow_ups"] == 0


def test_repeat_complainers_are_members_with_two_or_more(store, store_manager, quality, service):
    often = MemberFactory(store=store, name="常来投诉")
    once = MemberFactory(store=store, name="只投诉一次")
    make(store, quality, member=often, customer_name="")
    make(store, service, member=often, customer_name="", recorded=at(2026, 11, 25, 10, 0))
    make(store, quality, member=often, customer_name="", recorded=at(2026, 11, 26, 10, 0))
    make(store, quality, member=once, customer_name="")
    make(store, quality, member=once, customer_name="", state=State.CANCELLED)
    make(store, quality, member=once, customer_name="", recorded=at(2026, 6, 1, 10, 0))
    got = figures.period_figures(store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert got["repeat"]["count"] == 1
    (row,) = got["repeat"]["rows"]
    assert (row["who"], row["complaints"]) == (often, 3)


def test_repeat_complainers_beyond_the_list_are_counted(store, store_manager, quality):
    for n in range(figures.LIST_SIZE + 2):
        member = MemberFactory(store=store)
        for day in range(2 + (n == 3)):
            make(store, quality, member=member, customer_name="", recorded=at(2026, 11, 2 + day + n, 10, 0))
    make(store, quality, member=MemberFactory(store=store), customer_name="")
    got = figures.period_figures(store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))["repeat"]
    assert got["count"] == figures.LIST_SIZE + 2
    assert len(got["rows"]) == figures.LIST_SIZE
    # The one with three first; then the latest.
    assert [row["complaints"] for row in got["rows"]][:2] == [3, 2]
    lasts = [row["last"] for row in got["rows"][1:]]
    assert lasts == sorted(lasts, reverse=True)


def test_the_chart_counts_by_week_and_category_or_counter(store, store_manager, quality, service, english):
    make(store, quality, counter="Dior", recorded=at(2026, 11, 2, 10, 0))  # a Monday
    make(store, quality, counter="dior", recorded=at(2026, 11, 8, 21, 0))  # that Sunday
    make(store, service, counter="Lancôme", recorded=at(2026, 11, 9, 10, 0))
    make(store, service, recorded=at(2026, 11, 30, 10, 0))
    make(store, service, state=State.CANCELLED, recorded=at(2026, 11, 9, 10, 0))

    chart = figures.period_figures(store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))["chart"]
    assert chart["weekly"]
    # Nov 1 is a Sunday: its week starts in October but the row starts on the first day shown.
    assert [row["start"] for row in chart["rows"]] == [
        dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16),
        dt.date(2026, 11, 23), dt.date(2026, 11, 30),
    ]  # fmt: skip
    assert [row["total"] for row in chart["rows"]] == [0, 2, 1, 0, 0, 1]
    assert {s["label"]: s["total"] for s in chart["series"]} == {"Product quality": 2, "Service attitude": 2}
    assert chart["total"] == 4

    counters = figures.period_figures(
        store_manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="counter"
    )
    # Counters typed in different cases are one counter.
    assert {s["label"]: s["total"] for s in counters["chart"]["series"]} == {
        "Dior": 2, "Lancôme": 1, "No counter given": 1,
    }  # fmt: skip


def test_a_long_period_is_charted_by_month_and_many_groups_share_other(store, store_manager, quality):
    for n in range(9):
        make(store, quality, counter=f"counter{n}", recorded=at(2026, 3 + n % 8, 10, 10, 0))
    chart = figures.period_figures(store_manager, dt.date(2025, 12, 2), dt.date(2026, 11, 30), by="counter")[
        "chart"
    ]
    assert not chart["weekly"]
    assert len(chart["rows"]) == 12
    assert chart["rows"][0]["start"] == dt.date(2025, 12, 2)
    assert len(chart["series"]) == figures.SERIES + 1
    assert chart["series"][-1]["index"] == "other"
    assert chart["series"][-1]["total"] == 3
    assert sum(row["total"] for row in chart["rows"]) == 9


def test_compensation_spent_by_month_and_kind(store, store_manager, quality):
    nov = at(2026, 11, 10, 12, 0)
    make(store, quality, resolved_at=nov, compensation="gift", compensation_value=Decimal("50"))
    make(store, quality, resolved_at=nov, compensation="gift", compensation_value=Decimal("25.50"))
    make(
        store, quality, resolved_at=nov, compensation="voucher", compensation_value=Decimal("500"),
        approval="approved",
    )  # fmt: skip
    # Declined, still waiting, or cancelled: not spent.
    make(
        store, quality, state=State.IN_PROGRESS, resolved_at=nov, compensation="refund",
        compensation_value=Decimal("800"), approval="declined",
    )  # fmt: skip
    make(
        store, quality, state=State.AWAITING_APPROVAL, compensation="refund",
        compensation_value=Decimal("900"), approval="pending",
    )  # fmt: skip
    make(store, quality, state=State.CANCELLED, resolved_at=nov, compensation="gift", compensation_value=9)
    make(store, quality, resolved_at=at(2026, 10, 31, 23, 30), compensation="repair", compensation_value=30)
    # Resolved on the first of December in Shanghai: December, whatever UTC says.
    make(store, quality, resolved_at=at(2026, 12, 1, 0, 30), compensation="gift", compensation_value=7)

    got = figures.compensation(store_manager, dt.date(2026, 10, 1), dt.date(2026, 12, 1))
    months = {row["start"]: row["total"] for row in got["rows"]}
    assert months == {
        dt.date(2026, 10, 1): Decimal("30"), dt.date(2026, 11, 1): Decimal("575.50"),
        dt.date(2026, 12, 1): Decimal("7"),
    }  # fmt: skip
    kinds = {s["key"]: (s["total"], s["cases"]) for s in got["series"]}
    assert kinds == {
        "voucher": (Decimal("500"), 1), "gift": (Decimal("82.50"), 3), "repair": (Decimal("30"), 1),
    }  # fmt: skip
    assert got["cases"] == 5


def test_figures_through_the_actions(
    clock, store, member, quality, complaint_handler, store_manager, nine_to_five
):
    """Recorded, contacted half an hour later, resolved, unhappy after the grace period: the first
    case keeps its times and counts as come back; the new case counts on its own."""
    complaint = actions.record_complaint(
        actor=complaint_handler, store=store, member=member, category=quality,
        channel=Complaint.Channel.COUNTER, severity="medium", description="拉链坏了",
    )  # fmt: skip
    clock.advance(minutes=30)
    actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="called")
    clock.advance(hours=2)
    complaint = actions.resolve(complaint, actor=complaint_handler, solution="repair", compensation="gift",
                                value=Decimal("50"))  # fmt: skip
    clock.advance(days=10)
    follow_up = actions.reopen(complaint, actor=complaint_handler, reason="又坏了")
    assert follow_up.follows_id == complaint.pk

    today = clock.now.date()
    got = figures.period_figures(store_manager, today - dt.timedelta(days=30), today)
    (row,) = got["handlers"]
    assert row["handled"] == 2
    assert row["contact_median"] == 30
    assert row["resolve_median"] == 150
    assert (row["came_back"], row["resolved"]) == (1, 1)
    assert got["totals"]["follow_ups"] == 1
    assert got["repeat"]["count"] == 1
    comp = figures.compensation(store_manager, today - dt.timedelta(days=30), today)
    assert comp["total"] == Decimal("50")


# ---- the page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_lists_linked_to_each_complaint(
    clock, client_for, store, store_manager, quality, english
):
    late = make(
        store, quality, state=State.ROUTED, customer_name="迟到的顾客",
        recorded=clock.now - dt.timedelta(hours=3),
        sla_target="contact", contact_due_at=clock.now - dt.timedelta(hours=1),
    )  # fmt: skip
    waiting = make(
        store, quality, state=State.AWAITING_APPROVAL, customer_name="等批准的顾客",
        compensation="voucher", compensation_value=Decimal("600"), approval="pending",
    )  # fmt: skip
    page = client_for(store_manager).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "迟到的顾客" in html and "等批准的顾客" in html
    assert reverse("complaints:detail", args=[late.pk]) in html
    assert reverse("complaints:detail", args=[waiting.pk]) in html
    assert "¥600" in html
    assert "style=" not in html
    assert "{#" not in html and "#}" not in html  # no template comment shown as text


def test_the_date_boxes_show_the_period_in_iso_whatever_the_language(clock, client_for, store_manager):
    html = client_for(store_manager).get(URL, {"period": "month"}).content.decode()
    assert 'name="start" value="2026-12-01"' in html
    assert 'name="end" value="2026-12-01"' in html


def test_presets_and_grouping(client_for, store_manager, english):
    client = client_for(store_manager)
    for period in ("90d", "month", "last_month", "12m"):
        for by in ("category", "counter"):
            assert client.get(URL, {"period": period, "by": by}).status_code == 200
            assert client.get(PERIOD, {"period": period, "by": by}, **HTMX).status_code == 200
    page = client.get(PERIOD, {"period": "12m"}, **HTMX)
    assert "Complaints per month" in page.content.decode()
    page = client.get(PERIOD, {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"})
    assert page.context["figures"]["start"] == dt.date(2026, 11, 1)
    assert "Complaints per week" in page.content.decode()


def test_the_period_follows_the_page_and_keeps_its_choice(client_for, store_manager, english):
    """What is open shows at once; the period's figures are fetched right after, for the same
    period, as a part of the page (or, without htmx, as the whole page with them)."""
    client = client_for(store_manager)
    query = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30", "by": "counter"}
    page = client.get(URL, query)
    html = page.content.decode()
    assert page.context["figures"] is None
    assert (
        'hx-get="/complaints/overview/period/?period=custom&amp;by=counter&amp;start=2026-11-01&amp;end=2026-11-30"'
        in html
    )
    with CaptureQueriesContext(connection) as captured:
        part = client.get(PERIOD, query, **HTMX)
    assert part.status_code == 200
    text = part.content.decode()
    assert text.lstrip().startswith('<div id="period-figures"') and "<html" not in text
    assert "Handlers" in text
    # What is open is not counted again for the part.
    assert not any(
        "COUNT" in q["sql"] and "'awaiting_approval'" in q["sql"] for q in captured.captured_queries
    )
    whole = client.get(PERIOD, query)
    assert "<html" in whole.content.decode() and "Handlers" in whole.content.decode()
    assert whole.context["open"] is not None
    # The chart's grouping redraws the figures in place and keeps the page's address.
    assert 'hx-get="/complaints/overview/period/?period=custom&amp;by=category' in text
    assert 'hx-push-url="/complaints/overview/?period=custom&amp;by=category' in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "custom", "start": "2026-11-30", "end": "2026-11-01"}, "end", "comes before"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-11-01"}, "end", "at most 731 days"),
        ({"period": "custom", "start": "1999-12-31", "end": "2000-01-05"}, "start", "from 2000 on"),
        ({"period": "custom", "start": "2026-11-01", "end": "2099-01-01"}, "end", "Choose"),
        ({"period": "custom", "start": "2026-11-01"}, "end", "Choose the last day"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start", "valid date"),
        ({"period": "someday"}, "period", "valid choice"),
    ],
)
def test_bad_periods_are_field_errors_and_the_default_is_shown(
    client_for, store_manager, english, query, field, message
):
    page = client_for(store_manager).get(URL, query)
    assert page.status_code == 200
    form = page.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert page.context["period"]["period"] == "90d"
    assert "These dates cannot be shown" in page.content.decode()


@pytest.mark.parametrize("persona", ["complaint_handler", "front_desk", "vip_manager"])
@pytest.mark.parametrize("url", [URL, reverse("complaints:export")])
def test_only_the_store_manager_sees_the_figures(request, client_for, persona, url):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    page = client.get(URL)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_another_stores_manager_sees_nothing_of_this_store(
    clock, client_for, store, other_manager, quality, member, complaint_handler
):
    member.name = "甲店的会员"
    member.save()
    for n in range(2):
        make(
            store, quality, state=State.ROUTED, member=member, customer_name="", handler=complaint_handler,
            recorded=clock.now - dt.timedelta(days=n + 1), sla_target="contact",
            contact_due_at=clock.now - dt.timedelta(hours=1), compensation="gift",
            compensation_value=Decimal("10"), resolved_at=clock.now - dt.timedelta(hours=2),
        )  # fmt: skip
    client = client_for(other_manager)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲店的会员" not in html and str(complaint_handler) not in html
    assert page.context["open"]["total"] == 0
    part = client.get(PERIOD, **HTMX)
    assert "甲店的会员" not in part.content.decode() and str(complaint_handler) not in part.content.decode()
    part = client.get(PERIOD)
    assert part.context["figures"]["totals"]["handled"] == 0
    assert part.context["figures"]["repeat"]["count"] == 0
    assert part.context["figures"]["compensation"]["cases"] == 0
    today = clock.now.date()
    export = client.get(
        reverse("complaints:export"),
        {"start": (today - dt.timedelta(days=5)).isoformat(), "end": today.isoformat()},
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 1  # the header alone
    assert "甲店的会员" not in body


def test_query_count_does_not_grow_with_the_complaints(
    clock, client_for, store, store_manager, quality, service, complaint_handler, handler2
):
    client = client_for(store_manager)

    def add(count):
        for n in range(count):
            member = MemberFactory(store=store)
            state = [State.ROUTED, State.IN_PROGRESS, State.CLOSED, State.AWAITING_APPROVAL, State.RESOLVED][
                n % 5
            ]
            first = make(
                store, [quality, service][n % 2], state=state, member=member, customer_name="",
                counter=f"柜台{n % 7}", handler=[complaint_handler, handler2][n % 2],
                recorded=clock.now - dt.timedelta(days=n % 60, hours=1), sla_target="contact",
                contact_due_at=clock.now + dt.timedelta(hours=n % 30 - 10), contact_minutes=n,
                resolve_minutes=10 * n, resolved_at=clock.now - dt.timedelta(days=n % 40),
                satisfied=n % 3 == 0, score=n % 5 + 1, compensation="gift", compensation_value=n,
                reopen_count=n % 4 == 0,
            )  # fmt: skip
            make(store, quality, member=member, customer_name="", follows=first, handler=handler2,
                 recorded=clock.now - dt.timedelta(days=n % 50))  # fmt: skip

    def queries(url, **headers):
        client.get(url, **headers)  # sessions and caches warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        return len(captured.captured_queries)

    add(5)
    few = queries(URL), queries(PERIOD, **HTMX)
    add(45)
    many = queries(URL), queries(PERIOD, **HTMX)
    assert few == many
    assert many[0] <= 15 and many[1] <= 15


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("90d", dt.date(2026, 9, 3), dt.date(2026, 12, 1)),
        ("month", dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        ("last_month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("12m", dt.date(2025, 12, 1), dt.date(2026, 12, 1)),
    ],
)
def test_preset_periods(preset, first, last):
    from complaints.forms_overview import preset_range

    assert preset_range(preset, dt.date(2026, 12, 1)) == (first, last)


def test_last_month_in_january_and_month_ends():
    from complaints.forms_overview import months_before, preset_range

    assert preset_range("last_month", dt.date(2027, 1, 15)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 31), 13) == dt.date(2024, 12, 31)


def test_a_live_alert_redraws_what_is_open(clock, client_for, store, store_manager, quality):
    client = client_for(store_manager)
    page = client.get(URL).content.decode()
    assert "data-refresh-on-alert" in page and 'hx-trigger="alerts-arrived"' in page
    make(
        store, quality, state=State.AWAITING_APPROVAL, customer_name="刚提交的补偿",
        compensation="refund", compensation_value=Decimal("900"), approval="pending",
    )  # fmt: skip
    part = client.get(URL, **HTMX).content.decode()
    assert part.lstrip().startswith('<div id="complaints-now"') and "<html" not in part
    assert "刚提交的补偿" in part
    assert "period-figures" not in part
