# ruff: noqa: RUF001 (the demo text is Chinese, with its full-width punctuation)
"""The reception's part of the demo store (`manage.py seed_demo`): rooms and lounges, department
contacts, a host's own hours and a blocked time, today's arrivals board with a visit in every state,
the next days' bookings, and three months of past visits with their purchases for the figures.

Rows are written directly (a visit created with its state, as it would be after the actions ran),
in a few bulk inserts: seed_demo runs before every browser test. Today's visits are placed around
the time of the run (kept between 11:00 and 20:00), so the board shows who is in, who is waiting
and who is coming whenever the demo is loaded. Every host has at most one visit at a time, and
every room one party at a time, as the database's exclusion constraints require on PostgreSQL.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from concierge.appointments.preparation import planned_items
from concierge.models import (
    Appointment,
    Assignment,
    AuditEntry,
    Department,
    DepartmentContact,
    PreparationItem,
    Purchase,
    ReceptionSettings,
    Room,
    Staff,
    StaffBlock,
    StaffHours,
)

State = Appointment.State
Purpose = Appointment.Purpose
Channel = Appointment.Channel

ROOMS = [
    ("VIP 贵宾室 1", Room.Kind.LOUNGE, 6),
    ("VIP 贵宾室 2", Room.Kind.LOUNGE, 4),
    ("试衣套间", Room.Kind.FITTING, 3),
]
DRINKS = ["普洱茶", "温水", "拿铁，少糖", "香槟", "柠檬水", ""]
ITEMS = ["MaxMara 驼色大衣 38 码", "爱马仕 丝巾 新款三条", "卡地亚 手镯 16 号", "羊绒衫 M 码 两色", ""]
BRANDS = ["MaxMara", "Burberry", "卡地亚", "雅诗兰黛", ""]
NOTES = ["周年纪念日选礼物", "出差前挑几件正装", "陪女儿选毕业礼物", "想看新到的秋冬款", ""]
PLATES = ["京A·88D66", "京N·5K123", "", "", "京Q·7M520"]
SOLD = ["MaxMara 大衣", "爱马仕 丝巾", "卡地亚 手镯", "羊绒衫", "真丝连衣裙", "欧米茄 腕表"]
PAST_DAYS = 91
CAME = (State.ARRIVED, State.IN_SERVICE, State.COMPLETED, State.FOLLOWED_UP)


def _round(moment, minutes=5):
    return moment.replace(second=0, microsecond=0) - dt.timedelta(minutes=moment.minute % minutes)


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Seeder:
    def __init__(self, store, today):
        self.store = store
        self.today = today
        self.rng = random.Random(11)
        self.staff = {s.username: s for s in Staff.objects.filter(store=store)}
        self.hosts = [self.staff[name] for name in ("vip1", "vip2", "vip3")]
        self.desk = self.staff["desk"]
        book = Assignment.objects.filter(store=store, state__in=Assignment.CURRENT_STATES)
        self.members_of = {}
        for member_id, manager_id in book.order_by("member_id").values_list("member_id", "manager_id"):
            self.members_of.setdefault(manager_id, []).append(member_id)
        self.others = list(
            store.members.filter(assignments__isnull=True)
            .order_by("member_no")
            .values_list("pk", flat=True)[:60]
        )
        self.visits = []
        self.purchases = []
        self.receipts = 0

    # ---- set-up ---------------------------------------------------------------------------------

    def setup(self):
        self.rooms = Room.objects.bulk_create(
            Room(store=self.store, name=name, kind=kind, capacity=seats, position=(index + 1) * 10)
            for index, (name, kind, seats) in enumerate(ROOMS)
        )
        ReceptionSettings.objects.update_or_create(store=self.store, defaults=ReceptionSettings.DEFAULTS)
        DepartmentContact.objects.bulk_create(
            [
                DepartmentContact(store=self.store, department=Department.FRONT_DESK, staff=self.desk),
                DepartmentContact(store=self.store, department=Department.CATERING, staff=self.desk),
                DepartmentContact(store=self.store, department=Department.CONCIERGE, staff=self.desk),
                DepartmentContact(store=self.store, department=Department.BRAND, staff=self.staff["vip3"]),
            ]
        )
        # 孙悦 has her own hours and a weekday off (one with no visit of hers in the demo); the
        # others work whenever the store is open.
        self.day_off = (self.today + dt.timedelta(days=3)).weekday()
        StaffHours.objects.bulk_create(
            StaffHours(
                store=self.store, staff=self.staff["vip3"], weekday=day, starts=dt.time(10), ends=dt.time(21)
            )
            for day in range(7)
            if day != self.day_off
        )

    # ---- visits -----------------------------------------------------------------------------------

    def member_for(self, host):
        """One of the host's own VIPs when they have some, else a member nobody manages."""
        own = self.members_of.get(host.pk) or self.others
        return own[self.rng.randrange(len(own))]

    def visit(self, host, state, starts, minutes=60, room=None, **fields):
        needs = {
            "drinks": self.rng.choice(DRINKS),
            "items_to_pull": self.rng.choice(ITEMS),
            "brands": self.rng.choice(BRANDS),
            "note": self.rng.choice(NOTES),
            "car_plate": self.rng.choice(PLATES),
        }
        visit = Appointment(
            store=self.store,
            member_id=fields.pop("member_id", None) or self.member_for(host),
            host=host,
            backup_host=fields.pop("backup_host", None) or self.hosts[(self.hosts.index(host) + 1) % 3],
            room=room,
            state=state,
            purpose=fields.pop("purpose", None) or self.rng.choice(Purpose.values),
            channel=fields.pop("channel", None)
            or self.rng.choice([Channel.PHONE, Channel.MESSAGE, Channel.COUNTER]),
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=minutes),
            party_size=self.rng.choice([1, 1, 2, 2, 3]),
            booked_at=starts - dt.timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 5)),
            booked_by=self.desk,
            **{**needs, **fields},
        )
        self._fill_times(visit)
        self.visits.append(visit)
        return visit

    def _fill_times(self, visit):
        """The moments the actions would have written, for the visit's state."""
        starts = visit.starts_at
        if visit.walk_in:
            visit.booked_at = visit.arrived_at or starts
            visit.channel = Channel.WALK_IN
        elif visit.state not in (State.REQUESTED, State.CANCELLED):
            visit.confirmed_at = visit.confirmed_at or visit.booked_at + dt.timedelta(hours=20)
        if visit.state in (State.PREPARED, *CAME) and not visit.walk_in:
            visit.prepared_at = visit.prepared_at or starts - dt.timedelta(minutes=self.rng.randint(20, 90))
        if visit.state in CAME:
            visit.arrived_at = visit.arrived_at or starts - dt.timedelta(minutes=self.rng.randint(0, 10))
            visit.checked_in_by = self.desk
            visit.ack_due_at = visit.arrived_at + dt.timedelta(minutes=5)
        if visit.state in (State.IN_SERVICE, State.COMPLETED, State.FOLLOWED_UP):
            if visit.acknowledged_at is None:
                visit.acknowledged_at = visit.arrived_at + dt.timedelta(
                    minutes=self.rng.choice([1, 2, 2, 3, 4, 6, 9]), seconds=self.rng.randint(0, 59)
                )
            visit.service_started_at = visit.service_started_at or visit.acknowledged_at + dt.timedelta(
                minutes=3
            )
        if visit.acknowledged_at is not None:
            visit.acknowledged_by = visit.host
        if visit.state in (State.COMPLETED, State.FOLLOWED_UP):
            visit.completed_at = visit.completed_at or visit.ends_at
            visit.gift_given = self.rng.random() < 0.6
            visit.gift_note = "定制香薰" if visit.gift_given else ""
            visit.feedback = self.rng.choice(["很满意这次的安排", "希望下次多准备几个尺码", "茶很好喝", ""])
        if visit.state == State.FOLLOWED_UP:
            visit.followed_up_at = visit.completed_at + dt.timedelta(days=1, hours=1)
        if visit.state == State.NO_SHOW:
            visit.no_show_at = visit.starts_at + dt.timedelta(minutes=30)
        if visit.state == State.CANCELLED:
            visit.cancelled_at = visit.cancelled_at or starts - dt.timedelta(hours=self.rng.randint(2, 30))
            visit.cancelled_by = self.desk
            visit.cancel_reason = visit.cancel_reason or self.rng.choice(
                ["客户临时出差", "家里有事改期", "身体不适"]
            )

    def board(self):
        """Today, around now: every state on the arrivals board."""
        now = timezone.localtime()
        anchor = _round(min(max(now, _at(self.today, 11)), _at(self.today, 20)))
        vip1, vip2, vip3 = self.hosts
        lounge1, lounge2, suite = self.rooms

        def at(minutes):
            return anchor + dt.timedelta(minutes=minutes)

        # 王丽: seen off this morning; in service now; a member waiting for her; confirmed; booked.
        self.visit(vip1, State.COMPLETED, at(-300), room=lounge1)
        self.visit(vip1, State.IN_SERVICE, at(-50), room=lounge1, arrived_at=at(-55), acknowledged_at=at(-52))
        self.visit(vip1, State.ARRIVED, at(15), room=lounge1, arrived_at=at(-3), ack_due_at=at(2))
        self.visit(vip1, State.CONFIRMED, at(90), room=lounge1, purpose=Purpose.FITTING)
        self.visit(vip1, State.REQUESTED, at(180))
        # 刘洋: a no-show this morning; a member in the lounge who has her "on my way"; one ready.
        self.visit(vip2, State.NO_SHOW, at(-180))
        self.visit(vip2, State.ARRIVED, at(-10), room=lounge2, arrived_at=at(-12), acknowledged_at=at(-9))
        self.visit(vip2, State.PREPARED, at(90), room=suite, purpose=Purpose.FITTING)
        StaffBlock.objects.create(
            store=self.store, staff=vip2, starts_at=at(180), ends_at=at(240), reason="品牌新品培训"
        )
        # 孙悦: seen off earlier; a walk-in she is with now; a cancelled visit this afternoon.
        self.visit(vip3, State.COMPLETED, at(-240), room=lounge2)
        walk_in = self.visit(
            vip3,
            State.IN_SERVICE,
            at(-25),
            walk_in=True,
            arrived_at=at(-25),
            acknowledged_at=at(-23),
            member_id=self.others[0],
            purpose=Purpose.LOUNGE,
            drinks="",
            items_to_pull="",
        )
        walk_in.note = "路过进店，想先在贵宾室休息"
        self.visit(vip3, State.CANCELLED, at(120), room=lounge2)

    def coming_days(self):
        lounge1, lounge2, suite = self.rooms
        plan = [
            (1, 0, 10, State.CONFIRMED, lounge1),
            (1, 1, 14, State.REQUESTED, suite),
            (1, 2, 16, State.PREPARED, lounge2),
            (2, 0, 15, State.REQUESTED, None),
            (2, 1, 11, State.CONFIRMED, lounge1),
            (4, 2, 14, State.REQUESTED, suite),
            (6, 0, 13, State.REQUESTED, lounge2),
        ]
        for days, host, hour, state, room in plan:
            self.visit(self.hosts[host], state, _at(self.today + dt.timedelta(days=days), hour), room=room)

    def history(self):
        """Three months of past visits, at most one per host a day, each host in their own room."""
        rng = self.rng
        for days in range(1, PAST_DAYS + 1):
            day = self.today - dt.timedelta(days=days)
            for index, host in enumerate(self.hosts):
                if rng.random() > (0.55, 0.45, 0.35)[index] or (index == 2 and day.weekday() == self.day_off):
                    continue
                roll = rng.random()
                if roll < 0.08:
                    state = State.NO_SHOW
                elif roll < 0.15:
                    state = State.CANCELLED
                elif days <= 1:
                    state = State.COMPLETED
                else:
                    state = State.FOLLOWED_UP
                walk_in = state in CAME and rng.random() < 0.15
                starts = _at(day, 10 + 2 * index + rng.randint(0, 2), rng.choice([0, 15, 30]))
                self.visit(
                    host,
                    state,
                    starts,
                    minutes=rng.choice([45, 60, 60, 90]),
                    room=None if walk_in else self.rooms[index],
                    walk_in=walk_in,
                )

    # ---- what the figures and the pages read --------------------------------------------------------

    def sales(self):
        """Purchases rung up during about half of the visits that came, linked to them."""
        for visit in self.visits:
            if visit.state not in (State.COMPLETED, State.FOLLOWED_UP) or self.rng.random() > 0.55:
                continue
            for _item in range(self.rng.choice([1, 1, 2])):
                self.receipts += 1
                moment = visit.completed_at - dt.timedelta(minutes=self.rng.randint(5, 30))
                self.purchases.append(
                    Purchase(
                        store=self.store,
                        member_id=visit.member_id,
                        receipt_ref=f"WFJV{timezone.localtime(moment):%Y%m%d}-{self.receipts:05d}",
                        purchased_at=moment,
                        amount=Decimal(self.rng.choice([680, 1280, 2600, 4800, 8900, 15800, 32000])),
                        items=self.rng.choice(SOLD),
                        staff=visit.host,
                        appointment=visit,
                    )
                )
        Purchase.objects.bulk_create(self.purchases)

    def preparation(self, visits):
        """The checklists of today's and the coming visits, ticked off as far as their state says."""
        items = []
        with translation.override(self.store.default_language):
            for visit in visits:
                if visit.walk_in or visit.state == State.CANCELLED:
                    continue
                ready = visit.state not in (State.REQUESTED, State.CONFIRMED)
                for position, (department, text) in enumerate(planned_items(visit)):
                    done = ready or (visit.state == State.CONFIRMED and position == 0)
                    items.append(
                        PreparationItem(
                            appointment=visit,
                            department=department,
                            text=str(text)[:200],
                            position=position,
                            done_at=(visit.prepared_at or visit.starts_at - dt.timedelta(hours=1))
                            if done
                            else None,
                            done_by=(visit.host if department == Department.HOST else self.desk)
                            if done
                            else None,
                        )
                    )
        PreparationItem.objects.bulk_create(items)

    def audit_trail(self, visits):
        """What the visit pages show as history, as the actions would have written it."""
        kind = ContentType.objects.get_for_model(Appointment)
        steps = [
            ("appointment.booked", "booked_at", "booked_by", "", State.REQUESTED),
            ("appointment.confirmed", "confirmed_at", "host", State.REQUESTED, State.CONFIRMED),
            ("appointment.prepared", "prepared_at", None, State.CONFIRMED, State.PREPARED),
            ("appointment.checked_in", "arrived_at", "checked_in_by", State.PREPARED, State.ARRIVED),
            ("appointment.acknowledged", "acknowledged_at", "acknowledged_by", State.ARRIVED, State.ARRIVED),
            ("appointment.service_started", "service_started_at", "host", State.ARRIVED, State.IN_SERVICE),
            ("appointment.seen_off", "completed_at", "host", State.IN_SERVICE, State.COMPLETED),
            ("appointment.followed_up", "followed_up_at", "host", State.COMPLETED, State.FOLLOWED_UP),
            ("appointment.cancelled", "cancelled_at", "cancelled_by", State.REQUESTED, State.CANCELLED),
            ("appointment.no_show", "no_show_at", None, State.CONFIRMED, State.NO_SHOW),
        ]
        entries = []
        for visit in visits:
            for code, moment, who, before, after in steps:
                at = getattr(visit, moment)
                if at is None or (code == "appointment.booked" and visit.walk_in):
                    continue
                if code == "appointment.checked_in" and visit.walk_in:
                    code, before = "appointment.walked_in", ""
                entries.append(
                    AuditEntry(
                        at=at,
                        action=code,
                        actor=getattr(visit, who) if who else None,
                        store=self.store,
                        content_type=kind,
                        object_id=str(visit.pk),
                        object_repr=str(visit)[:200],
                        from_state=before,
                        to_state=after,
                        data={"reason": visit.cancel_reason} if code == "appointment.cancelled" else {},
                    )
                )
        AuditEntry.objects.bulk_create(entries)

    def run(self):
        self.setup()
        self.history()
        first_recent = len(self.visits)
        self.board()
        self.coming_days()
        Appointment.objects.bulk_create(self.visits)
        recent = self.visits[first_recent:]
        self.sales()
        self.preparation(recent)
        self.audit_trail(recent)
        return self.visits


def seed_demo(store, today):
    """The reception's demo rows for the demo store; seed_demo wipes the store before, so a second
    run writes the same again rather than a second copy."""
    return Seeder(store, today).run()
