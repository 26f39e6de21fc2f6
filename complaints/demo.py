# ruff: noqa: RUF001 (the demo text is Chinese, with its full-width punctuation)
"""The complaints' part of the demo store (`manage.py seed_demo`).

Three months of closed cases for the store manager's figures (some late, some with compensation, a
reopened one, one followed up by a linked case, a duplicate), and today's work in every state:
through the real actions, so routing, alerts, the outreach hold and the apology tasks are as they
would be. A few open cases are moved back in time and the warning and escalation jobs run, so the
queue shows what is late and the bell what was escalated.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from complaints import actions
from complaints.clock import Clock
from complaints.jobs import escalate_complaints, warn_complaints
from complaints.models import Category, Complaint, RoutingRule, Team, TeamMembership
from concierge.models import Assignment, Staff, StaffAbsence

State = Complaint.State

# (category code, counter, severity, channel, what happened, what the customer wants)
CASES = [
    (
        "product_quality",
        "兰蔻",
        "medium",
        "counter",
        "新买的面霜用了两天脸上起红疹。",
        "退货并承担看医生的费用",
    ),
    (
        "service_attitude",
        "Gucci",
        "high",
        "phone",
        "导购在试穿时不耐烦，说“买不起就别试”。",
        "店方道歉，换一位导购",
    ),
    ("after_sales", "周大福", "medium", "counter", "项链扣头断了，保修期内却被要求付维修费。", "免费维修"),
    ("price", "雅诗兰黛", "low", "message", "昨天买的套装今天就降价 200 元。", "退差价"),
    ("environment", "", "low", "online", "三楼女洗手间没有纸，地面湿滑。", "尽快改善"),
    ("parking", "B2 停车场", "medium", "phone", "VIP 免费停车时长没有自动抵扣，被收了 30 元。", "退停车费"),
    ("product_quality", "Max Mara", "high", "counter", "大衣第一次干洗后缩水明显。", "换新或全额退款"),
    ("after_sales", "戴森", "medium", "phone", "吹风机送修三周没有消息。", "告知进度，尽快取回"),
    ("service_attitude", "星巴克", "low", "message", "排队时店员先给熟人做。", "提醒店员"),
    ("other", "", "medium", "counter", "会员积分被别人兑换了礼品。", "查清并恢复积分"),
]
FOLLOW_UP = "客户反映问题再次出现：修好后又断了。"


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed_demo(store, today):
    rng = random.Random(10)
    handlers = _handlers(store)
    boss = Staff.objects.get(store=store, username="manager")
    categories = {c.code: c for c in Category.objects.filter(store=store)}
    members = list(
        store.members.filter(assignments__state__in=Assignment.CURRENT_STATES).order_by("member_no")[:40]
    ) + list(store.members.filter(assignments__isnull=True).order_by("member_no")[:20])
    rng.shuffle(members)
    _history(store, today, rng, handlers, categories, members[:30])
    _today(store, today, handlers, boss, categories, members[30:])


def _handlers(store):
    care = Staff.objects.get(store=store, username="care")
    care2 = Staff.objects.get(store=store, username="care2")
    default = Team.objects.get(store=store, is_default=True)
    TeamMembership.objects.get_or_create(team=default, staff=care)
    TeamMembership.objects.get_or_create(team=default, staff=care2)
    default.lead = care
    default.save()
    # The cosmetics floor has its own handler, on leave this week: its complaints wait unassigned.
    beauty = Team.objects.create(
        store=store, name="美妆楼层", lead=Staff.objects.get(store=store, username="manager")
    )
    desk = Staff.objects.get(store=store, username="desk")
    TeamMembership.objects.create(team=beauty, staff=desk)
    today = timezone.localdate()
    StaffAbsence.objects.create(
        store=store,
        staff=desk,
        first_day=today - dt.timedelta(days=1),
        last_day=today + dt.timedelta(days=4),
        note="年假",
    )
    RoutingRule.objects.create(store=store, counter="雅诗兰黛", team=beauty, position=10)
    return [care, care2]


def _history(store, today, rng, handlers, categories, members):
    """Closed cases of the last three months, written directly: what the figures read."""
    rows = []
    for number, member in enumerate(members):
        code, counter, severity, channel, what, wish = CASES[number % len(CASES)]
        day = today - dt.timedelta(days=3 + (number * 89) // len(members))
        recorded = _at(day, 10 + number % 8, (number * 7) % 60)
        handler = handlers[number % 2]
        late = number % 6 == 0
        contact_minutes = 95 if late else 15 + (number * 13) % 70
        resolve_minutes = 300 + (number * 97) % 2400
        resolved = recorded + dt.timedelta(minutes=resolve_minutes * 2)
        score = 2 if number % 9 == 4 else 3 + number % 3
        compensation = ["", "gift", "voucher", "refund", "repair", ""][number % 6]
        rows.append(
            Complaint(
                store=store,
                member=member,
                channel=channel,
                category=categories[code],
                counter=counter,
                severity=severity,
                description=what,
                wish=wish,
                state=State.CLOSED,
                team=Team.objects.get(store=store, is_default=True),
                handler=handler,
                assigned_at=recorded,
                recorded_at=recorded,
                recorded_by=handler,
                clock_started_at=recorded,
                first_contact_at=recorded + dt.timedelta(minutes=contact_minutes),
                contact_minutes=contact_minutes,
                resolve_minutes=resolve_minutes,
                contact_breached=late,
                resolve_breached=number % 10 == 3,
                solution="已与顾客协商一致并当面致歉。",
                compensation=compensation,
                compensation_value=Decimal(rng.choice([50, 100, 200, 380, 800])) if compensation else None,
                approval=Complaint.Approval.APPROVED if compensation and number % 4 == 0 else "",
                resolved_at=resolved,
                resolved_by=handler,
                feedback_at=resolved + dt.timedelta(days=1),
                satisfied=score >= 3,
                score=score,
                feedback_note="" if score >= 3 else "处理太慢",
                reopen_count=1 if number % 11 == 5 else 0,
                closed_at=resolved + dt.timedelta(days=1),
            )
        )
    Complaint.objects.bulk_create(rows)
    # One unhappy customer came back after the grace period: a linked case, also closed since.
    first = (
        Complaint.objects.filter(store=store, category__code="after_sales").order_by("recorded_at").first()
    )
    if first is not None:
        later = first.resolved_at + dt.timedelta(days=12)
        Complaint.objects.create(
            store=store,
            member=first.member,
            channel="phone",
            category=first.category,
            counter=first.counter,
            severity=first.severity,
            description=FOLLOW_UP,
            state=State.CLOSED,
            team=first.team,
            handler=first.handler,
            assigned_at=later,
            recorded_at=later,
            recorded_by=first.handler,
            clock_started_at=later,
            first_contact_at=later + dt.timedelta(minutes=20),
            contact_minutes=20,
            resolve_minutes=240,
            solution="更换新品。",
            compensation="exchange",
            compensation_value=Decimal("1200"),
            approval=Complaint.Approval.APPROVED,
            resolved_at=later + dt.timedelta(hours=6),
            resolved_by=first.handler,
            feedback_at=later + dt.timedelta(days=2),
            satisfied=True,
            score=4,
            closed_at=later + dt.timedelta(days=2),
            follows=first,
        )


def _today(store, today, handlers, boss, categories, members):
    """Open work in every state, made by the actions as staff would."""
    care, care2 = handlers
    people = iter(members)

    def record(index, actor=boss, **extra):
        code, counter, severity, channel, what, wish = CASES[index]
        fields = {
            "actor": actor,
            "store": store,
            "member": next(people),
            "category": categories[code],
            "counter": counter,
            "severity": severity,
            "channel": channel,
            "description": what,
            "wish": wish,
        }
        fields.update(extra)
        return actions.record_complaint(**fields)

    def handler_of(complaint):
        return complaint.handler

    # Just routed, not yet contacted; the same customer recorded twice, once cancelled as a duplicate.
    first = record(0)
    twice = record(0, member=first.member)
    actions.cancel(twice, actor=handler_of(twice), reason="重复登记", duplicate_of=first)
    record(2, actor=Staff.objects.get(store=store, username="desk"))
    # A walk-in customer.
    record(4, member=None, customer_name="刘女士", customer_phone="13912345678")
    # The customer mentioned the newspaper: critical, top of the queue.
    record(1, description="导购态度恶劣，顾客说要找报社曝光。")
    # The cosmetics floor's handler is on leave: unassigned, for the store manager to hand out.
    record(3)
    # In progress, waiting on the customer, awaiting approval, resolved (feedback to call), reopened.
    working = record(5)
    actions.record_contact(
        working, actor=handler_of(working), channel="phone", note="已致电，核实停车记录中。"
    )
    waiting = record(7)
    waiting = actions.record_contact(
        waiting, actor=handler_of(waiting), channel="phone", note="已联系维修中心。"
    )
    actions.wait_on_customer(waiting, actor=handler_of(waiting), note="请顾客提供维修单号。")
    costly = record(6)
    costly = actions.record_contact(
        costly, actor=handler_of(costly), channel="counter", note="顾客带来大衣，确认缩水。"
    )
    actions.resolve(
        costly,
        actor=handler_of(costly),
        solution="更换同款新品。",
        compensation=Complaint.Compensation.EXCHANGE,
        value=Decimal("8900"),
        details="Max Mara 同款大衣",
    )
    done = record(8)
    done = actions.record_contact(done, actor=handler_of(done), channel="message", note="已回复道歉。")
    actions.resolve(
        done,
        actor=handler_of(done),
        solution="已提醒店员按顺序服务，赠送饮品券。",
        compensation="voucher",
        value=Decimal("40"),
    )
    again = record(9)
    again = actions.record_contact(again, actor=handler_of(again), channel="phone", note="查询积分记录。")
    again = actions.resolve(again, actor=handler_of(again), solution="恢复积分并修改密码。")
    actions.record_feedback(
        again, actor=handler_of(again), satisfied=False, score=2, note="积分恢复了，但没有解释原因。"
    )
    _make_some_late(store, care, care2)


def _make_some_late(store, care, care2):
    """Two open cases recorded earlier in the day: one past its first-contact deadline, one close."""
    now = timezone.now()
    clock = Clock(store.pk)
    routed = list(Complaint.objects.filter(store=store, state=State.ROUTED).order_by("pk")[:2])
    for complaint, hours in zip(routed, (6, 1), strict=False):
        earlier = now - dt.timedelta(hours=hours)
        complaint.recorded_at = complaint.assigned_at = earlier
        clock.start(complaint, earlier)
        complaint.save()
    # As the minute ticks of those hours would have: the warning, then each escalation level due.
    for _minute in range(4):
        warn_complaints(as_of=None)
        escalate_complaints(as_of=None)
