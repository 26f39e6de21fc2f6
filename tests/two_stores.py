"""Two stores with one of everything, and every URL of the project filled in with their objects.

The URL matrix and the fuzzing tests share this. The URLs come from the URLconf itself, so a page
added later is tested as soon as it is routed; its path parameters are filled from the registries
below, and a parameter they cannot fill stops the tests with a message saying where to add it.
"""

import dataclasses
import datetime as dt
import re

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from complaints.models import Category, Complaint, RoutingRule, Team
from concierge.models import (
    Alert,
    ApiToken,
    Appointment,
    Assignment,
    Member,
    Room,
    SpecialDay,
    Staff,
    StaffAbsence,
    StaffBlock,
)
from concierge.roles import Role
from tasks.models import CareTask, EtiquetteWords, Holiday, RevivalCase
from tasks.models.messages import Purpose
from tests.factories import MemberFactory, StaffFactory, StoreFactory, TierFactory, TierProgramFactory

# An id no row has, past the 64-bit range on purpose: SQLite raises OverflowError on such ids.
MISSING_ID = 2**63

# The personas: anonymous, every role of store A, store B's manager, and a superuser.
STORE_A_ROLES = ("vip_manager", "front_desk", "complaint_handler", "store_manager", "admin")
PERSONAS = ("anonymous", *STORE_A_ROLES, "other_manager", "superuser")


@dataclasses.dataclass
class Store:
    """One store's staff and objects: what path parameters are filled with."""

    store: object
    staff: dict
    member: Member
    assignment: Assignment
    handover: Assignment
    task: CareTask
    pool_task: CareTask
    holiday: Holiday
    alert: Alert
    secrets: tuple = ()
    complaint: Complaint = None
    appointment: Appointment = None
    room: Room = None


def _store(code, name, prefix):
    store = StoreFactory(code=code, name=name)
    program = TierProgramFactory(name=f"{prefix} program")
    store.tier_program = program
    store.save()
    tier = TierFactory(program=program, name=f"{prefix} gold", dedicated_manager=True)
    roles = {
        "vip_manager": Role.VIP_MANAGER,
        "vip2": Role.VIP_MANAGER,
        "front_desk": Role.FRONT_DESK,
        "complaint_handler": Role.COMPLAINT_HANDLER,
        "store_manager": Role.STORE_MANAGER,
        "admin": Role.ADMIN,
    }
    staff = {
        key: StaffFactory(
            username=f"{prefix}-{key}",
            display_name=f"{prefix}员工{index}",
            store=store,
            roles=[role],
            # The demo's administrators carry the staff flag: it must not open Django's admin.
            is_staff=key == "admin",
        )
        for index, (key, role) in enumerate(roles.items())
    }
    members = [
        MemberFactory(
            store=store,
            tier=tier,
            member_no=f"{prefix}{n:04d}",
            name=f"{prefix}店会员{n}",
            phone=f"139{'01' if prefix == 'A' else '02'}{n:06d}",
            value_class="A",
        )
        for n in range(1, 5)
    ]
    assignment = Assignment.objects.create(store=store, member=members[0], manager=staff["vip_manager"])
    handover = Assignment.objects.create(
        store=store,
        member=members[1],
        manager=staff["vip_manager"],
        handover_to=staff["vip2"],
        handover_note="note",
    )
    # The protected state field is set in the database: the actions are not what is tested here.
    Assignment.objects.filter(pk=handover.pk).update(state=Assignment.State.HANDOVER_REQUESTED)
    today = timezone.localdate()
    task = CareTask.objects.create(
        store=store,
        member=members[2],
        assignee=staff["vip_manager"],
        kind=CareTask.Kind.BIRTHDAY_GREETING,
        period="2026",
        due_date=today,
        reason=f"{prefix} birthday",
    )
    pool_task = CareTask.objects.create(
        store=store,
        member=members[3],
        kind=CareTask.Kind.NEW_MEMBER_CALL,
        period="first",
        due_date=today,
        reason=f"{prefix} first purchase",
    )
    holiday = Holiday.objects.create(store=store, name=f"{prefix}店庆", date=today + dt.timedelta(days=30))
    alert = Alert.objects.create(
        recipient=staff["vip_manager"],
        kind="assignment.proposed",
        text=f"{prefix} alert",
        link=f"/members/{members[0].pk}/",
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(members[0].pk),
    )
    _hours_and_complaint_setup(store, staff, prefix, today)
    complaint = Complaint.objects.create(
        store=store,
        member=members[0],
        channel=Complaint.Channel.COUNTER,
        category=Category.objects.get(store=store, code="product_quality"),
        counter=f"{prefix}专柜",
        severity="medium",
        description=f"{prefix} complaint",
        team=store.complaint_teams.get(is_default=True),
        clock_started_at=timezone.now(),
        contact_due_at=timezone.now() + dt.timedelta(hours=2),
        resolve_due_at=timezone.now() + dt.timedelta(days=2),
        sla_target=Complaint.Target.CONTACT,
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        state=Complaint.State.ROUTED, handler=staff["complaint_handler"], assigned_at=timezone.now()
    )
    _late, walk_in = _overview_complaints(store, prefix, members[0], staff["complaint_handler"])
    _revival_dashboard_campaign(store, staff, members, prefix)
    secrets = tuple(value for member in members for value in (member.name, member.phone, member.member_no))
    secrets += (walk_in.customer_name, walk_in.customer_phone)
    ApiToken.objects.create(store=store, name=f"{prefix} till", prefix=f"{prefix}tok123", digest="0" * 64)
    room = Room.objects.create(store=store, name=f"{prefix} lounge", capacity=6)
    _revival_ledger(store, staff, members[0], prefix)
    tomorrow_three = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(15, 0)))
    appointment = Appointment.objects.create(
        store=store,
        member=members[0],
        host=staff["vip_manager"],
        room=room,
        purpose=Appointment.Purpose.SHOPPING,
        starts_at=tomorrow_three,
        ends_at=tomorrow_three + dt.timedelta(hours=1),
        drinks=f"{prefix} tea",
        booked_by=staff["front_desk"],
    )
    _revival_case(store, staff, members[0], prefix)
    return Store(
        store,
        staff,
        members[0],
        assignment,
        handover,
        task,
        pool_task,
        holiday,
        alert,
        secrets,
        complaint,
        appointment,
        room,
    )


def _revival_case(store, staff, member, prefix):
    """An open revival campaign with the VIP manager's quota and one case: the cases pages' rows."""
    from tests.revival import factories as revival

    campaign = revival.campaign(store, name=f"{prefix} 激活个案")
    revival.quota(campaign, staff["vip_manager"], share=1, target=1)
    return revival.case(campaign, member, staff["vip_manager"])


def _revival_ledger(store, staff, member, prefix):
    """A revival credited to the VIP manager, its reward pending and a bonus approved: the ledger's
    rows, which another store must never see nor approve."""
    from tasks.models import IncentiveEntry, RevivalCredit
    from tests.revival import factories as revival

    campaign = revival.campaign(store, name=f"{prefix} ledger campaign")
    case = revival.case(campaign, member, staff["vip_manager"])
    attempt = revival.attempt(case, at=timezone.now() - dt.timedelta(days=2))
    purchase = member.purchases.create(
        store=store, receipt_ref=f"{prefix}-revival", purchased_at=timezone.now(), amount=1200
    )
    credit = RevivalCredit.objects.create(
        store=store,
        campaign=campaign,
        case=case,
        member=member,
        staff=staff["vip_manager"],
        attempt=attempt,
        purchase=purchase,
        amount=purchase.amount,
        returns_until=timezone.now() + dt.timedelta(days=14),
    )
    common = {"store": store, "campaign": campaign, "staff": staff["vip_manager"]}
    IncentiveEntry.objects.create(**common, kind="reward", amount=200, credit=credit)
    bonus = IncentiveEntry.objects.create(**common, kind="bonus", amount=500)
    IncentiveEntry.objects.filter(pk=bonus.pk).update(state="approved")


def _overview_complaints(store, prefix, member, handler):
    """A member's complaint past its first-contact deadline and a walk-in's waiting for approval:
    both on the store manager's complaints page, where another store must never see them."""
    now = timezone.now()
    category = Category.objects.get(store=store, code="product_quality")
    common = {"store": store, "category": category, "channel": "counter", "severity": "medium"}
    late = Complaint.objects.create(
        **common,
        member=member,
        description=f"{prefix} zip broke",
        counter=f"{prefix}柜台",
        handler=handler,
        recorded_at=now - dt.timedelta(hours=5),
        contact_due_at=now - dt.timedelta(hours=1),
        sla_target=Complaint.Target.CONTACT,
    )
    walk_in = Complaint.objects.create(
        **common,
        customer_name=f"{prefix}散客顾女士",
        customer_phone=f"137{'01' if prefix == 'A' else '02'}998877",
        description=f"{prefix} refund",
        handler=handler,
        compensation=Complaint.Compensation.REFUND,
        compensation_value=900,
        approval=Complaint.Approval.PENDING,
    )
    # The protected state field is set in the database: the actions are not what is tested here.
    Complaint.objects.filter(pk=late.pk).update(state=Complaint.State.ROUTED)
    Complaint.objects.filter(pk=walk_in.pk).update(state=Complaint.State.AWAITING_APPROVAL)
    return late, walk_in


def _revival_dashboard_campaign(store, staff, members, prefix):
    """An open revival campaign with a case tried and one credited, so the store manager's revival
    dashboard draws its figures (the other store must never see them)."""
    from tasks.models import RevivalCredit
    from tests.revival import factories as revival

    campaign = revival.campaign(store, name=f"{prefix} dashboard revival")
    revival.quota(campaign, staff["vip_manager"], share=2, target=1)
    tried = revival.case(campaign, members[2], staff["vip_manager"])
    revival.case(campaign, members[3], staff["vip_manager"])
    attempt = revival.attempt(tried, reason="moved", remedy="taxi", note=f"{prefix} revival note")
    purchase = members[2].purchases.create(
        store=store, receipt_ref=f"{prefix}-revival-1", purchased_at=timezone.now(), amount=800
    )
    RevivalCredit.objects.create(
        store=store,
        campaign=campaign,
        case=tried,
        member=members[2],
        staff=staff["vip_manager"],
        attempt=attempt,
        purchase=purchase,
        amount=800,
        returns_until=timezone.now() + dt.timedelta(days=14),
    )
    return campaign


def _hours_and_complaint_setup(store, staff, prefix, today):
    """A special date, a day off and a routing rule; the categories and the default team every
    store starts with are there already."""
    SpecialDay.objects.create(
        store=store,
        date=today + dt.timedelta(days=40),
        name=f"{prefix}除夕",
        closed=False,
        opens=dt.time(10),
        closes=dt.time(17),
    )
    StaffAbsence.objects.create(
        store=store, staff=staff["complaint_handler"], first_day=today, last_day=today + dt.timedelta(days=2)
    )
    RoutingRule.objects.create(
        store=store,
        category=Category.objects.filter(store=store).order_by("pk").first(),
        counter=f"{prefix} counter",
        team=Team.objects.get(store=store, is_default=True),
    )


def revival_campaign(store):
    """The store's open revival campaign, with a quota and a case for its VIP manager (made with the
    world)."""
    from tasks.models import RevivalCampaign
    from tests.revival import factories as revival

    found = RevivalCampaign.objects.filter(store=store.store).order_by("pk").first()
    if found is None:
        found = revival.campaign(store.store, name=f"{store.store.code} revival")
        revival.quota(found, store.staff["vip_manager"], share=1, target=1)
        revival.case(found, store.member, store.staff["vip_manager"])
    return found


def first_pk(model, store):
    return model.objects.filter(store=store.store).order_by("pk").values_list("pk", flat=True).first()


@dataclasses.dataclass
class World:
    a: Store
    b: Store
    superuser: Staff

    def persona(self, name):
        if name == "anonymous":
            return None
        if name == "superuser":
            return self.superuser
        if name == "other_manager":
            return self.b.staff["store_manager"]
        return self.a.staff[name]


def make_world():
    a = _store("mxa", "甲店", "A")
    b = _store("mxb", "乙店", "B")
    superuser = Staff.objects.create_superuser("root", password="pw-root-123", display_name="运维")
    for store in (a, b):
        revival_campaign(store)
    return World(a, b, superuser)


def world_for_the_module(django_db_blocker):
    """The world made once for a test module, in a transaction rolled back after its last test;
    each test runs in a savepoint inside it (as TestCase.setUpTestData does), so tests do not
    see each other's writes and the world is not built a hundred times."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_world()
        transaction.set_rollback(True)


def project_apps():
    """The project's own apps (not Django's or a library's): those whose forms and rows are tested."""
    from django.apps import apps

    return [config for config in apps.get_app_configs() if "site-packages" not in config.path]


# ---- filling path parameters ---------------------------------------------------------------------

# Parameters named after what they hold.
BY_PARAMETER = {
    "member_pk": lambda s: s.member.pk,
    "staff_pk": lambda s: s.staff["vip_manager"].pk,
    "manager_pk": lambda s: s.staff["vip_manager"].pk,
    "purpose": lambda s: Purpose.BIRTHDAY.value,
    "language": lambda s: "en",
    "category": lambda s: EtiquetteWords.Category.values[0],
    # Django's admin.
    "app_label": lambda s: "concierge",
    "content_type_id": lambda s: ContentType.objects.get_for_model(Member).pk,
    "url": lambda s: "no-such-page/",
}

# A bare `pk` or `object_id` holds a row of the model the path names just before it.
BY_SEGMENT = {
    "members": lambda s: s.member.pk,
    "r": lambda s: s.member.pk,  # the admin's "view on site" link
    "member": lambda s: s.member.pk,
    "assignments": lambda s: s.assignment.pk,
    "complaints": lambda s: s.complaint.pk,
    "visits": lambda s: s.appointment.pk,
    "appointment": lambda s: s.appointment.pk,
    "rooms": lambda s: s.room.pk,
    "room": lambda s: s.room.pk,
    "complaint": lambda s: s.complaint.pk,
    "assignment": lambda s: s.assignment.pk,
    "tasks": lambda s: s.task.pk,
    "caretask": lambda s: s.task.pk,
    "holidays": lambda s: s.holiday.pk,
    "holiday": lambda s: s.holiday.pk,
    "alerts": lambda s: s.alert.pk,
    "alert": lambda s: s.alert.pk,
    "staff": lambda s: s.staff["vip_manager"].pk,
    "store": lambda s: s.store.pk,
    "stores": lambda s: s.store.pk,
    "tierprogram": lambda s: s.store.tier_program_id,
    "programs": lambda s: s.store.tier_program_id,
    "tier": lambda s: s.member.tier_id,
    "tiers": lambda s: s.member.tier_id,
    "purchase": lambda s: s.member.purchases.values_list("pk", flat=True).first() or MISSING_ID,
    "contactlog": lambda s: s.member.contacts.values_list("pk", flat=True).first() or MISSING_ID,
    "auditentry": lambda s: MISSING_ID,
    "messagetemplate": lambda s: MISSING_ID,
    "etiquettewords": lambda s: MISSING_ID,
    "tag": lambda s: MISSING_ID,
    "group": lambda s: MISSING_ID,
    "closed-dates": lambda s: first_pk(SpecialDay, s),
    "days-off": lambda s: first_pk(StaffAbsence, s),
    # The till connection page's tokens (setup/till/<pk>/revoke/).
    "till": lambda s: first_pk(ApiToken, s),
    # A revival case (revival/cases/<pk>/ and its posts).
    "cases": lambda s: first_pk(RevivalCase, s) or MISSING_ID,
    "categories": lambda s: first_pk(Category, s),
    "teams": lambda s: first_pk(Team, s),
    "rules": lambda s: first_pk(RoutingRule, s),
    # The reception set-up: a host's blocked times (none in the world: an id no row has), and the
    # admin's pages of the reception's rows.
    "blocks": lambda s: first_pk(StaffBlock, s) or MISSING_ID,
    "staffblock": lambda s: first_pk(StaffBlock, s) or MISSING_ID,
    "staffhours": lambda s: MISSING_ID,
    "departmentcontact": lambda s: MISSING_ID,
    "receptionsettings": lambda s: MISSING_ID,
    # Revival campaigns (revival/campaigns/<pk>/...).
    "campaigns": lambda s: revival_campaign(s).pk,
}

ID_PARAMETERS = ("pk", "object_id", "id")


class CannotFill(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Route:
    """One routed URL: its pattern text, name and path parameters."""

    pattern: str
    name: str
    parameters: tuple  # (name, converter class name)

    def __str__(self):
        return f"{self.name or '(unnamed)'} [{self.pattern}]"

    @property
    def is_admin(self):
        return self.pattern.startswith("admin/")

    def path(self, fill):
        """The URL with each parameter filled by `fill(parameter, segment)`."""
        text = self.pattern
        for name, _converter in self.parameters:
            segment = _segment_before(self.pattern, name)
            value = str(fill(name, segment))
            # <int:pk> in a path() route, or the whole named group (?P<url>.*) in a regex.
            text = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", value, text, count=1)
        return "/" + text.replace("^", "").replace("$", "")


def _parameter_re(name):
    """A parameter in a path() route (<int:pk>) or the start of a named group in a regex."""
    return rf"<(?:\w+:)?{name}>|\(\?P<{name}>"


def _segment_before(pattern, name):
    before = re.split(_parameter_re(name), pattern, maxsplit=1)[0]
    parts = [part for part in before.strip("/^").split("/") if part and "<" not in part]
    return parts[-1] if parts else ""


def routes():
    """Every URL pattern of the project, admin included, flattened."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = ":".join(filter(None, [namespace, entry.name])) if entry.name else ""
                found.append(Route(pattern, name, _parameters(entry.pattern, pattern)))

    walk(get_resolver(), "", "")
    return found


def _parameters(pattern, text):
    if isinstance(pattern, RegexPattern):
        return tuple((name, "regex") for name in re.findall(r"\(\?P<(\w+)>", text))
    return tuple((name, converter or "str") for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", text))


def _is_id(name):
    return name in ID_PARAMETERS or name.endswith(("_pk", "_id"))


def filler(store):
    """Fill parameters with `store`'s objects; with None, every id is one that no row has."""

    def fill(name, segment):
        getter = BY_SEGMENT.get(segment) if name in ID_PARAMETERS else BY_PARAMETER.get(name)
        if getter is None:
            raise CannotFill(
                f"cannot fill the path parameter {name!r} (after {segment!r}): add it to BY_PARAMETER, "
                f"or the segment to BY_SEGMENT, in tests/two_stores.py"
            )
        if store is None and _is_id(name):
            return MISSING_ID
        return getter(store)

    return fill


# ---- what a plausible post to each page holds -------------------------------------------------------


def post_data(route, world, store):
    """Data a real form on the page would send, with `store`'s objects; {} for pages not listed."""
    s, today = store, timezone.localdate()
    vip, vip2 = s.staff["vip_manager"].pk, s.staff["vip2"].pk
    later = (today + dt.timedelta(days=10)).isoformat()
    words_prefix = f"{EtiquetteWords.Category.values[0]}-en"
    data = {
        "login": {"username": "nobody", "password": "wrong"},
        "set_language": {"language": "en", "next": "/"},
        "concierge:add_contact": {"channel": "phone", "outcome": "reached", "note": "matrix"},
        "concierge:assign": {"manager": vip, "direct": "on"},
        "concierge:spread": {"value_class": "*", "managers": [vip, vip2]},
        "concierge:move_book": {"to_managers": [vip2], "reason": "leave"},
        "concierge:decline": {"reason": "busy"},
        "concierge:request_handover": {"colleague": vip2, "note": "matrix"},
        "concierge:release": {"reason": "matrix"},
        "concierge:alert_read": {"open": "1"},
        "concierge:imports": {"kind": "members"},
        "complaints:record": {
            "who": "member",
            "member": s.member.pk,
            "channel": "counter",
            "category": Category.objects.get(store=s.store, code="product_quality").pk,
            "severity": "medium",
            "description": "matrix",
        },
        "complaints:contact": {"channel": "phone", "note": "matrix"},
        "complaints:wait": {"note": "matrix"},
        "complaints:answered": {"note": "matrix"},
        "complaints:resolve": {"solution": "matrix", "compensation": "gift", "value": "10"},
        "complaints:approve": {"note": "matrix"},
        "complaints:decline": {"note": "matrix"},
        "complaints:feedback": {"satisfied": "no", "score": "2", "note": "matrix"},
        "complaints:close": {"note": "matrix"},
        "complaints:reopen": {"reason": "matrix"},
        "complaints:cancel": {"reason": "matrix"},
        "complaints:reroute": {"team": s.store.complaint_teams.get(is_default=True).pk, "reason": "matrix"},
        "complaints:reassign": {"handler": s.staff["store_manager"].pk, "reason": "matrix"},
        "concierge:walk_in": {"member": s.member.pk, "host": vip, "purpose": "shopping", "party_size": 1},
        "tasks:complete": {"outcome": "reached", "note": "matrix", "page": "panel", "from": "day"},
        "tasks:snooze": {"until": later},
        "tasks:skip": {"reason": "matrix"},
        "tasks:move_tasks": {"to_users": [vip2], "reason": "leave"},
        "tasks:hand_out": {"tasks": [s.pool_task.pk], "to_users": [vip]},
        "tasks:pause_outreach": {"until": later, "reason": "matrix"},
        "tasks:check_draft": {"task": s.task.pk, "message": "生日快乐"},
        "tasks:edit_template": {"body": "{member}，生日快乐！{store} {staff}"},
        "tasks:preview_template": {"body": "{member}，生日快乐！{store} {staff}"},
        "tasks:edit_words": {f"{words_prefix}-words": "matrix"},
        "tasks:holidays": {"name": "会员日", "date": later},
        "tasks:edit_holiday": {"name": "会员日", "date": later, "greet": "on"},
        "tasks:holiday_greetings": {"greet": "off"},
        "tasks:revival_attempt": {"channel": "phone", "reached": "yes", "reason": "moved", "remedy": "taxi"},
        "tasks:revival_guidance": {"text": "matrix"},
        "tasks:revival_reassign": {"staff": vip2},
        "tasks:revival_lost": {"reason": "matrix"},
        **_revival_campaign_posts(s, vip),
        **_booking_posts(s, later),
        "concierge:visit_tick": {
            "item": s.appointment.preparation.values_list("pk", flat=True).first() or MISSING_ID,
            "done": "1",
        },
        "concierge:visit_item": {"department": "catering", "text": "matrix"},
        "concierge:visit_service": {"notes": "matrix", "feedback": "matrix"},
        "concierge:visit_farewell": {"gift_given": "on", "gift_note": "matrix"},
        "concierge:visit_follow_up": {"note": "matrix"},
        "concierge:visit_undo_no_show": {"reason": "matrix"},
        **_setup_posts(s, later),
        **_revival_ledger_posts(s, today),
        **_reception_posts(s, later),
        "concierge:setup_api_token_add": {"name": "matrix till"},
        "concierge:setup_api_token_revoke": {"confirm": "on"},
        "admin:concierge_staff_change": {
            "username": s.staff["admin"].username,
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
        },
    }
    return data.get(route.name, {})


def _revival_ledger_posts(s, today):
    """Plausible posts to the incentive ledger: its entries, a payment day, a correction."""
    from tasks.models import IncentiveEntry, RevivalCampaign

    entries = list(IncentiveEntry.objects.filter(store=s.store).values_list("pk", flat=True)) or [MISSING_ID]
    return {
        "tasks:revival_ledger_approve": {"entries": entries},
        "tasks:revival_ledger_pay": {"entries": entries, "paid_on": today.isoformat()},
        "tasks:revival_ledger_correct": {
            "staff": s.staff["vip_manager"].pk,
            "campaign": first_pk(RevivalCampaign, s) or MISSING_ID,
            "amount": "-10",
            "reason": "matrix",
        },
    }


def _revival_campaign_posts(s, vip):
    """Plausible posts to the revival campaign pages and the revival settings."""
    today = timezone.localdate()
    terms = {
        "min_amount": "500", "window_days": "30", "return_days": "14", "target_percent": "20",
        "stall_days": "7", "exclude_self_rung": "on", "reward_a": "200", "reward_b": "120",
        "reward_c": "80", "reward_other": "50", "quota_bonus": "500",
    }  # fmt: skip
    return {
        "tasks:revival_campaign_new": {
            "name": "matrix",
            "start": today.isoformat(),
            "end": today.isoformat(),
            **terms,
            "staff": [vip],
            "intent": "preview",
        },
        "tasks:revival_campaign_open": {"staff": [vip], "intent": "preview"},
        "tasks:revival_campaign_close": {"reason": "matrix"},
        "tasks:revival_setup": {"lost_for_good_months": "24", **terms},
    }


def _reception_posts(s, later):
    """Plausible posts to the reception set-up pages."""
    from concierge.models import ReceptionSettings

    room, vip = s.room.pk, s.staff["vip_manager"].pk
    hours = {"mode": "own"}
    for day in range(5):
        hours[f"day{day}_works"], hours[f"day{day}_starts"], hours[f"day{day}_ends"] = "on", "10:00", "19:00"
    return {
        "concierge:setup_rooms": {"new-name": "matrix room", "new-kind": "lounge", "new-capacity": "4"},
        "concierge:setup_room": {
            f"room-{room}-name": "matrix room",
            f"room-{room}-kind": "fitting",
            f"room-{room}-capacity": "2",
        },
        "concierge:setup_room_bookable": {"bookable": "0"},
        "concierge:setup_room_move": {"direction": "down"},
        "concierge:setup_departments": {"catering": [vip], "brand": [s.staff["vip2"].pk]},
        "concierge:setup_staff_hours_detail": hours,
        "concierge:setup_staff_block_add": {
            "starts_at": f"{later}T14:00",
            "ends_at": f"{later}T15:00",
            "reason": "matrix",
        },
        "concierge:setup_reception": {
            **{field: str(value) for field, value in ReceptionSettings.DEFAULTS.items()},
            "ack_minutes": "3",
        },
    }


def _booking_posts(s, later):
    """Plausible posts to the booking pages: a visit on a later day, with the store's host and room."""
    visit = {
        "date": later,
        "time": "15:00",
        "minutes": "60",
        "purpose": "shopping",
        "host": s.staff["vip_manager"].pk,
        "backup_host": s.staff["vip2"].pk,
        "room": s.room.pk,
        "party_size": "2",
        "drinks": "matrix",
    }
    return {
        "concierge:book": {**visit, "member": s.member.pk, "channel": "phone"},
        "concierge:visit_edit": visit,
        "concierge:visit_cancel": {"reason": "matrix"},
    }


def _setup_posts(s, later):
    """Plausible posts to the opening hours, days off and complaint set-up pages."""
    from complaints.models import Severity

    week = {}
    for day in range(7):
        week[f"day{day}_opens"], week[f"day{day}_closes"] = "10:00", "22:00"
    date, absence = first_pk(SpecialDay, s), first_pk(StaffAbsence, s)
    category, team, rule = first_pk(Category, s), first_pk(Team, s), first_pk(RoutingRule, s)
    sla = {}
    for severity in Severity.values:
        sla[f"{severity}_contact"], sla[f"{severity}_resolution"] = "60", "600"
    return {
        "concierge:setup_hours": week,
        "concierge:setup_special_day_add": {
            "new-date-date": later,
            "new-date-name": "matrix",
            "new-date-kind": "closed",
        },
        "concierge:setup_special_day": {
            f"date-{date}-date": later,
            f"date-{date}-name": "matrix",
            f"date-{date}-kind": "hours",
            f"date-{date}-opens": "10:00",
            f"date-{date}-closes": "16:00",
        },
        "concierge:setup_days_off": {
            "staff": s.staff["vip_manager"].pk,
            "first_day": later,
            "last_day": later,
            "note": "matrix",
        },
        "concierge:setup_absence_delete": {"absence": absence},
        "complaints:setup": {"new-name": "matrix"},
        "complaints:setup_category": {f"category-{category}-name": "matrix"},
        "complaints:setup_category_active": {"active": "0"},
        "complaints:setup_category_move": {"direction": "down"},
        "complaints:setup_teams": {
            "new-name": "matrix team",
            "new-members": [s.staff["complaint_handler"].pk],
        },
        "complaints:setup_team": {f"team-{team}-name": "matrix team", f"team-{team}-is_default": "on"},
        "complaints:setup_rules": {"new-counter": "matrix", "new-team": team, "new-position": "1"},
        "complaints:setup_rule": {
            f"rule-{rule}-counter": "matrix",
            f"rule-{rule}-team": team,
            f"rule-{rule}-position": "2",
        },
        "complaints:setup_sla": sla,
        "complaints:setup_numbers": {
            "numbers-warning_percent": "80",
            "numbers-escalation_step_minutes": "30",
            "numbers-reopen_grace_days": "5",
        },
        "complaints:setup_compensation": {"untiered": "200", "default_budget": "300"},
    }
