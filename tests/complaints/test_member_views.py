"""A member's complaints where staff look at the member: the profile card, the cheat sheet of a care
task, and the complaint history of a dormant review or call."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import actions
from complaints.models import Category, Complaint
from concierge.models import Assignment
from concierge.roles import Role
from tasks.models import CareTask
from tests.complaints.conftest import at
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX
from tests.tasks.helpers import make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
State = Complaint.State


def make(member, category, state=State.CLOSED, recorded=(2026, 11, 1, 10), **fields):
    """A complaint as it stands after its workflow: the card only reads it."""
    fields.setdefault("channel", Complaint.Channel.COUNTER)
    fields.setdefault("severity", "medium")
    fields.setdefault("description", "拉链坏了")
    return Complaint.objects.create(
        store=fields.pop("store", member.store),
        member=member,
        category=category,
        state=state,
        recorded_at=at(*recorded),
        **fields,
    )


def profile(client, member):
    response = client.get(reverse("concierge:member_detail", args=[member.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def card(page):
    """The complaints card of a profile page, or "" when there is none."""
    found = re.search(r'<section class="card member-complaints".*?</section>', page, re.S)
    return found.group(0) if found else ""


def numbers(html):
    return [int(n) for n in re.findall(r'class="cx-number mono"[^>]*>#(\d+)<', html)]


@pytest.fixture
def service(store):
    return Category.objects.get(store=store, code="service_attitude")


@pytest.fixture
def history(member, quality, service, complaint_handler):
    """An open complaint, a closed one with its outcome, and a cancelled duplicate, recorded in
    that order from the newest."""
    closed = make(
        member,
        quality,
        recorded=(2026, 10, 3, 11),
        counter="兰蔻",
        severity="high",
        handler=complaint_handler,
        solution="更换同款新品，客户电话 138 1234 5678",
        compensation=Complaint.Compensation.GIFT,
        compensation_value=Decimal("50"),
        satisfied=True,
        score=4,
        closed_at=at(2026, 10, 10, 15),
    )
    duplicate = make(
        member,
        quality,
        state=State.CANCELLED,
        recorded=(2026, 10, 3, 12),
        duplicate_of=closed,
        cancel_reason="重复登记",
    )
    open_one = make(
        member,
        service,
        state=State.IN_PROGRESS,
        recorded=(2026, 11, 28, 10),
        severity="critical",
        public_risk=True,
        handler=complaint_handler,
    )
    return {"closed": closed, "duplicate": duplicate, "open": open_one}


# ---- the profile card ----------------------------------------------------------------------------


def test_the_card_lists_the_complaints_newest_first_with_their_outcome(
    client_for, vip_manager, member, history
):
    shown = card(profile(client_for(vip_manager), member))
    assert numbers(shown) == [history["open"].pk, history["duplicate"].pk, history["closed"].pk]
    closed_row = shown[shown.index(f">#{history['closed'].pk}<") :]
    for text in (
        "2026-10-03",
        "Product quality",
        "兰蔻",
        "High",
        "Closed",
        "赵敏",
        "Gift ¥50",
        "Satisfied (4/5)",
    ):
        assert text in closed_row
    assert "更换同款新品" in closed_row
    assert f"Duplicate of #{history['closed'].pk}" in shown
    assert "12315 or media" in shown and "Critical" in shown


def test_only_the_open_complaint_is_highlighted(client_for, vip_manager, member, history):
    shown = card(profile(client_for(vip_manager), member))
    highlighted = re.findall(r'<li class="cx-row is-open">.*?</li>', shown, re.S)
    assert len(highlighted) == 1
    assert f">#{history['open'].pk}<" in highlighted[0]
    assert "1 complaint is open: no sales talk until it is closed." in shown


def test_numbers_open_the_complaint(client_for, vip_manager, member, history):
    shown = card(profile(client_for(vip_manager), member))
    link = f'<a class="cx-open" href="{reverse("complaints:detail", args=[history["open"].pk])}">'
    assert link in shown


def test_a_follow_up_case_and_the_case_it_follows_name_each_other(client_for, vip_manager, member, quality):
    first = make(member, quality, recorded=(2026, 9, 1, 10), satisfied=False, score=2, reopen_count=1)
    second = make(member, quality, state=State.ROUTED, recorded=(2026, 10, 20, 10), follows=first)
    shown = card(profile(client_for(vip_manager), member))
    assert f"Follow-up of #{first.pk}" in shown
    assert f"Followed up as #{second.pk}" in shown
    assert "Reopened 1 time" in shown
    assert "Not satisfied (2/5)" in shown


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_every_role_that_sees_the_member_sees_the_card_and_may_record(
    request, client_for, persona, member, history
):
    shown = card(profile(client_for(request.getfixturevalue(persona)), member))
    assert numbers(shown) == [history["open"].pk, history["duplicate"].pk, history["closed"].pk]
    record = f'href="{reverse("complaints:record")}?member={member.pk}"'
    assert record in shown
    assert "Record a complaint" in shown


def test_front_desk_sees_the_complaints_without_phone_numbers(
    client_for, front_desk, complaint_handler, member, history
):
    for_desk = card(profile(client_for(front_desk), member))
    assert "更换同款新品" in for_desk
    assert "138 1234 5678" not in for_desk and "13812345678" not in for_desk
    assert "138****5678" in for_desk
    assert member.phone not in for_desk
    for_handler = card(profile(client_for(complaint_handler), member))
    assert "138 1234 5678" in for_handler


def test_without_the_right_to_record_there_is_no_button(client_for, store, member, history):
    admin = StaffFactory(username="admin1", store=store, roles=[Role.ADMIN])
    shown = card(profile(client_for(admin), member))
    assert numbers(shown)
    assert "Record a complaint" not in shown
    assert reverse("complaints:record") not in shown


def test_without_the_right_to_see_complaints_there_is_no_card(client_for, store, member, history):
    clerk = StaffFactory(username="clerk", store=store)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_member", content_type__app_label="concierge")
    )
    page = profile(client_for(clerk), member)
    assert "拉链坏了" not in page
    assert card(page) == ""


def test_a_member_without_complaints_says_so(client_for, vip_manager, member):
    shown = card(profile(client_for(vip_manager), member))
    assert "No complaints on record." in shown
    assert "Record a complaint" in shown


def test_another_stores_member_never_shows_this_stores_complaints(
    client_for, other_store, other_manager, store, quality, member, history
):
    theirs = MemberFactory(store=other_store, name="孙丽")
    # A row that names their member but belongs to this store (a bad import, a mistyped number).
    stray = make(theirs, quality, store=store, description="不该出现")
    their_quality = Category.objects.get(store=other_store, code="product_quality")
    own = make(theirs, their_quality, description="他们自己的")
    shown = card(profile(client_for(other_manager), theirs))
    assert numbers(shown) == [own.pk]
    assert "不该出现" not in shown
    assert stray.pk not in numbers(shown)
    response = client_for(other_manager).get(reverse("concierge:member_detail", args=[member.pk]))
    assert response.status_code == 404


def _card_queries(client, member):
    with CaptureQueriesContext(connection) as queries:
        profile(client, member)
    return len(queries)


def test_the_card_costs_the_same_queries_however_many_complaints(client_for, vip_manager, store, quality):
    few, some, many, more = (MemberFactory(store=store) for _ in range(4))
    for member, count in ((few, 1), (some, 12), (many, 21), (more, 40)):
        for day in range(count):
            make(member, quality, recorded=(2026, 1, 1 + day % 28, 10), handler=vip_manager)
    client = client_for(vip_manager)
    profile(client, few)  # the first page of a session loads what later ones keep
    assert _card_queries(client, few) == _card_queries(client, some)
    # Past the first 20, one more query counts the rest.
    assert _card_queries(client, many) == _card_queries(client, more) == _card_queries(client, few) + 1
    shown = card(profile(client, more))
    assert len(numbers(shown)) == 20
    assert "20 earlier complaints are not shown." in shown


# ---- the cheat sheet of a care task ----------------------------------------------------------------


@pytest.fixture
def held(clock, store, member, quality, complaint_handler, vip_manager, nine_to_five):
    """An open complaint recorded through the workflow: it holds the member's sales outreach."""
    Assignment.objects.create(store=store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE)
    clock.set(2026, 11, 28, 10, 0)
    complaint = actions.record_complaint(
        actor=complaint_handler,
        store=store,
        member=member,
        category=quality,
        channel=Complaint.Channel.COUNTER,
        severity="medium",
        description="拉链坏了",
    )
    clock.set(2026, 12, 1, 10, 0)
    member.refresh_from_db()
    assert member.outreach_held
    return complaint


def panel(client, task):
    response = client.get(reverse("tasks:task_detail", args=[task.pk]), {"from": "day"}, **HTMX)
    assert response.status_code == 200
    return unescape(response.content.decode())


def matters(html):
    found = re.search(r'<ul class="cheat-list matters">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def test_the_cheat_sheet_warns_of_an_open_complaint(client_for, vip_manager, member, held):
    task = make_task(member, vip_manager, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    html = panel(client_for(vip_manager), task)
    lines = matters(html)
    assert f"Open complaint #{held.pk}: Product quality, since 11-28 — no sales talk" in lines
    assert f'<li class="matter-warning"><a href="{reverse("complaints:detail", args=[held.pk])}">' in html
    # The hold is the complaint's: said once, and never as a date in the year 9999.
    assert "9999" not in html
    assert "No sales outreach while the complaint is open" not in lines


def test_the_cheat_sheet_names_the_last_closed_complaint_briefly(
    clock, client_for, vip_manager, member, quality, service
):
    older = make(member, service, recorded=(2026, 1, 1, 10), closed_at=at(2026, 1, 2, 10), satisfied=True)
    last = make(
        member, quality, recorded=(2026, 8, 1, 10), closed_at=at(2026, 8, 5, 10), satisfied=False, score=2
    )
    # A cancelled duplicate is no complaint of its own, however late it ended.
    make(member, quality, state=State.CANCELLED, recorded=(2026, 11, 1, 10), closed_at=at(2026, 11, 2, 10))
    task = make_task(member, vip_manager, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    html = panel(client_for(vip_manager), task)
    lines = matters(html)
    assert f"Last complaint #{last.pk}: Product quality, closed 08-05, not satisfied (2/5)" in lines
    assert f"#{older.pk}" not in lines
    assert "Open complaint" not in lines
    assert '<li class="matter-info">' in html


def test_a_closed_complaint_from_another_year_shows_its_year(clock, client_for, vip_manager, member, service):
    make(member, service, recorded=(2025, 10, 1, 10), closed_at=at(2025, 11, 20, 16), satisfied=True, score=5)
    task = make_task(member, vip_manager, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    lines = matters(panel(client_for(vip_manager), task))
    assert "Service attitude, closed 2025-11-20, satisfied (5/5)" in lines


def test_a_member_without_complaints_has_no_complaint_line(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    html = panel(client_for(vip_manager), task)
    assert "complaint" not in matters(html).lower()
    assert "task-complaints" not in html  # a care call has no complaint history part


# ---- the dormant review and the dormant call -------------------------------------------------------


@pytest.mark.parametrize("kind", [CareTask.Kind.DORMANT_REVIEW, CareTask.Kind.DORMANT_CALL])
def test_a_dormant_task_shows_the_whole_complaint_history(client_for, vip_manager, member, history, kind):
    task = make_task(member, vip_manager, kind=kind, period="2026-09-01")
    html = panel(client_for(vip_manager), task)
    section = re.search(r'<section class="task-complaints".*?</section>', html, re.S).group(0)
    assert "Complaint history" in section
    assert numbers(section) == [history["open"].pk, history["duplicate"].pk, history["closed"].pk]
    for text in (
        "2026-10-03",
        "Product quality",
        "Service attitude",
        "Gift ¥50",
        "Satisfied (4/5)",
        "更换同款新品",
    ):
        assert text in section


def test_a_dormant_review_of_a_member_without_complaints_says_so(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=CareTask.Kind.DORMANT_REVIEW, period="2026-09-01")
    html = panel(client_for(vip_manager), task)
    section = re.search(r'<section class="task-complaints".*?</section>', html, re.S).group(0)
    assert "No complaints on record." in section


def test_the_store_manager_sees_the_history_in_a_colleagues_review(
    client_for, store_manager, vip_manager, member, history
):
    task = make_task(member, vip_manager, kind=CareTask.Kind.DORMANT_REVIEW, period="2026-09-01")
    html = panel(client_for(store_manager), task)
    assert history["open"].pk in numbers(html)


def test_the_dormant_review_panel_costs_one_query_more_however_long_the_history(
    client_for, vip_manager, store, quality
):
    short, long = MemberFactory(store=store), MemberFactory(store=store)
    make(short, quality)
    for day in range(15):
        make(long, quality, recorded=(2026, 3, 1 + day, 10), handler=vip_manager)
    tasks = [
        make_task(m, vip_manager, kind=CareTask.Kind.DORMANT_REVIEW, period="2026-09-01")
        for m in (short, long)
    ]
    client = client_for(vip_manager)
    panel(client, tasks[0])
    counts = []
    for task in tasks:
        with CaptureQueriesContext(connection) as queries:
            panel(client, task)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_panel_never_shows_another_stores_complaints(client_for, vip_manager, store, other_store, member):
    their_quality = Category.objects.get(store=other_store, code="product_quality")
    make(member, their_quality, store=other_store, description="别的店的投诉")
    task = make_task(member, vip_manager, kind=CareTask.Kind.DORMANT_REVIEW, period="2026-09-01")
    html = panel(client_for(vip_manager), task)
    assert "别的店的投诉" not in html
    assert "No complaints on record." in html


def test_a_complaint_is_dated_by_the_store_calendar(clock, client_for, vip_manager, member, quality):
    # 00:30 in Shanghai is already 1 December there; in UTC it is still 30 November.
    make(member, quality, state=State.ROUTED, recorded=(2026, 12, 1, 0, 30))
    task = make_task(member, vip_manager, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    assert "since 12-01" in matters(panel(client_for(vip_manager), task))
