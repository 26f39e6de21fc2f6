# ruff: noqa: RUF001 (the demo text is Chinese, with its full-width punctuation)
"""Demo data: one flagship store, its staff, its card program and a few hundred members.

Deterministic (a fixed random seed) and anchored on today's date, so every run gives the same
store as it would look today: big spenders, regulars, new members, members who stopped coming
a few months ago and members lost long ago, with returns and visits without spend.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from concierge import extensions
from concierge.appointments import demo as appointments_demo
from concierge.models import (
    Assignment,
    AuditEntry,
    ContactLog,
    JobRun,
    Member,
    Purchase,
    Staff,
    Store,
    Tag,
    Tier,
    TierProgram,
)
from concierge.roles import Role

SEED = 20240801
STORE_CODE = "wfj"
STORE_NAME = "王府井旗舰店"
PROGRAM_NAME = "王府井 ME / WE / SVIP"
DEMO_PASSWORD = "demo1234"
MEMBER_COUNT = 400

# username, display name, roles, may use the admin site
DEMO_STAFF = [
    ("manager", "陈静", [Role.STORE_MANAGER], False),
    ("vip1", "王丽", [Role.VIP_MANAGER], False),
    ("vip2", "刘洋", [Role.VIP_MANAGER], False),
    ("vip3", "孙悦", [Role.VIP_MANAGER], False),
    ("desk", "李娜", [Role.FRONT_DESK], False),
    ("care", "赵敏", [Role.COMPLAINT_HANDLER], False),
    ("care2", "钱进", [Role.COMPLAINT_HANDLER], False),
    ("admin", "系统管理员", [Role.ADMIN], True),
]

TIERS = [
    {
        "rank": 1,
        "name": "ME",
        "min_day_points": 500,
        "renewal_points": 1000,
        "other_benefits": "免费停车 2 小时",
    },
    {
        "rank": 2,
        "name": "WE",
        "min_day_points": 6000,
        "min_month_points": 12000,
        "min_period_points": 10000,
        "renewal_points": 10000,
        "lounge": True,
        "salons": True,
        "birthday_gift": True,
        "other_benefits": "免费停车 3 小时",
    },
    {
        "rank": 3,
        "name": "SVIP",
        "min_day_points": 30000,
        "min_month_points": 60000,
        "min_period_points": 60000,
        "renewal_points": 60000,
        "dedicated_manager": True,
        "closed_store_events": True,
        "salons": True,
        "lounge": True,
        "birthday_gift": True,
    },
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
)
COMPOUND_SURNAMES = ["欧阳", "上官", "司马", "诸葛"]
FEMALE_NAMES = [
    "静",
    "丽",
    "敏",
    "婷",
    "雪",
    "慧",
    "欣怡",
    "雅琴",
    "晓燕",
    "佳怡",
    "梦瑶",
    "诗涵",
    "秀英",
    "桂兰",
    "玉兰",
    "淑珍",
    "美玲",
    "海燕",
    "丹",
    "璐",
    "晶",
    "颖",
    "倩",
    "蕾",
    "文静",
    "思琪",
    "雨桐",
    "若曦",
    "紫涵",
    "婉清",
    "雅婷",
    "慧敏",
    "晓梅",
    "春燕",
    "凤英",
    "丽华",
    "红梅",
    "艳",
    "娟",
    "琳",
    "薇",
]
MALE_NAMES = [
    "伟",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "浩然",
    "子轩",
    "建国",
    "志强",
    "国华",
    "文博",
    "俊杰",
    "宇航",
    "振华",
    "立新",
    "博文",
    "晨阳",
    "嘉豪",
    "鹏",
    "斌",
    "海涛",
    "建华",
    "永刚",
]
PHONE_PREFIXES = [
    "130",
    "131",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "186",
    "188",
    "189",
]

TAGS = ["瓷器", "美妆", "高尔夫", "茶艺", "珠宝", "红酒", "亲子", "健康养生", "时装", "箱包", "腕表", "家居"]
# What a member who likes a tag tends to buy, and say, on the shop floor.
TAG_PREFERENCES = {
    "瓷器": "收藏景德镇青花瓷，关注限量款",
    "美妆": "常用雅诗兰黛、兰蔻护肤线，偏爱无香型",
    "高尔夫": "周末常打高尔夫，关注球具和运动服饰新品",
    "茶艺": "喜欢普洱和白茶，愿意参加品茶沙龙",
    "珠宝": "偏爱铂金和珍珠款式，不喜欢夸张造型",
    "红酒": "喜欢波尔多红酒，可邀请品鉴会",
    "亲子": "常带孩子来店，关注童装和玩具",
    "健康养生": "关注养生讲座和保健品",
    "时装": "偏爱简约素色，常买意大利品牌",
    "箱包": "关注皮具新品，喜欢经典款",
    "腕表": "喜欢机械表，关注瑞士品牌新款",
    "家居": "关注家纺和厨具，喜欢北欧风格",
}
HABITS = [
    "周末下午来店",
    "工作日晚上来店",
    "喜欢安静的购物环境，不喜欢被频繁推荐",
    "习惯提前微信预约",
    "通常和家人一起来",
    "偏好专人陪同选购",
    "对价格不敏感，重视服务",
    "喜欢会员活动和新品预览",
]
NOTES = [
    "对花粉过敏，接待时避免摆放鲜花",
    "只喝温水，不加冰",
    "开车来店，需提前预留停车位",
    "先生也是会员，注意区分两人偏好",
    "喜欢被称呼为“老师”",
    "女儿在国外读书，假期常一起来购物",
    "曾投诉送货延误，已道歉并补偿，之后满意",
    "不接受电话营销，短信联系即可",
    "腿脚不便，请安排座位休息",
    "喜欢提前看新品图册",
    "偏好下午茶时段来店",
    "生日前一周适合邀约",
    "公司采购节日礼品，常批量购买",
]
CONTACT_NOTES = {
    ContactLog.Channel.PHONE: ["回访上次购买的大衣，很满意", "询问近况，家人身体安好", "未接通，稍后再打"],
    ContactLog.Channel.MESSAGE: ["发送生日祝福", "发送换季关怀短信", "发送中秋问候"],
    ContactLog.Channel.VISIT: ["到店试穿新品，留下尺码", "陪同选购礼品，推荐了丝巾", "到店取改好的西装"],
    ContactLog.Channel.GIFT: ["送生日小礼品：香薰蜡烛", "送上致歉礼品：定制茶具"],
}
CHANNEL_OUTCOMES = {
    ContactLog.Channel.PHONE: [ContactLog.Outcome.REACHED, ContactLog.Outcome.NOT_REACHED],
    ContactLog.Channel.MESSAGE: [ContactLog.Outcome.MESSAGE_SENT],
    ContactLog.Channel.VISIT: [ContactLog.Outcome.REACHED],
    ContactLog.Channel.GIFT: [ContactLog.Outcome.GIFT_GIVEN],
}

# What was bought, as a till names it; drawn with their own generator so the rest stays as seeded.
PURCHASE_ITEMS = [
    "MaxMara 大衣",
    "雅诗兰黛 护肤套装",
    "Burberry 风衣",
    "卡地亚 手镯",
    "兰蔻 香水",
    "景德镇 青花瓷茶具",
    "爱马仕 丝巾",
    "欧米茄 腕表",
    "羊绒衫",
    "真丝连衣裙",
]

# Share of members per shopping pattern; the weights make every value class, lifecycle and tier occur.
SEGMENTS = [
    ("big_spender", 0.13),
    ("regular", 0.35),
    ("occasional", 0.15),
    ("new", 0.08),
    ("dormant", 0.12),
    ("lost", 0.14),
    ("signed_up", 0.03),
]
# Per shopping pattern: days since the last purchase, days between purchases, median receipt (yuan).
SHAPES = {
    "big_spender": ((0, 20), (6, 25), 3500),
    "regular": ((0, 10), (14, 40), 900),
    "occasional": ((5, 85), (60, 150), 600),
    "new": ((0, 10), (7, 30), 1200),
    "dormant": ((95, 170), (20, 70), 900),
    "lost": ((200, 600), (20, 80), 700),
}


class Command(BaseCommand):
    help = "Load the demo store, staff, card program, members and purchases, then refresh the figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Replace the demo store's data even if members exist."
        )
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins that exist in the database."
        )

    def handle(self, *args, force=False, logins=False, **options):
        if logins:
            self.print_logins()
            return
        if Member.objects.exists() and not force:
            raise CommandError(
                "The database already has members; not loading demo data over them. "
                "Use --force to replace the demo store's data."
            )
        with transaction.atomic():
            self.wipe_demo_store()
            Builder(random.Random(SEED), timezone.localtime()).build()
        call_command("refresh_members", verbosity=0)
        self.assign_vip_managers()
        with transaction.atomic():
            CareCadence(timezone.localdate()).shape()
            # The apps' own demo data (a past week of care work...), asked for by hook.
            extensions.seed_demo(Store.objects.get(code=STORE_CODE), timezone.localdate())
            # The reception's rooms, today's arrivals board and three months of visits.
            appointments_demo.seed_demo(Store.objects.get(code=STORE_CODE), timezone.localdate())
        call_command("refresh_members", verbosity=0)
        if options["verbosity"]:
            store = Store.objects.get(code=STORE_CODE)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo store {store.code} ({store.name}): "
                    f"{store.members.count()} members, {store.purchases.count()} purchases."
                )
            )
            self.print_logins()

    def assign_vip_managers(self):
        """Most dedicated-manager members spread over the VIP managers; a few left for the demo."""
        from concierge import actions

        store = Store.objects.get(code=STORE_CODE)
        boss = Staff.objects.get(username="manager")
        vips = [Staff.objects.get(username=name) for name in ("vip1", "vip2", "vip3")]
        members = list(
            Member.objects.filter(store=store, tier__dedicated_manager=True).order_by(
                "-spend_12m", "member_no"
            )
        )
        keep_free = max(3, len(members) // 10)
        with transaction.atomic():
            actions.spread_members(members[:-keep_free], vips, actor=boss, reason="开业分配")
            for member in members[-keep_free:][:2]:
                actions.assign_member(member, vips[0], actor=boss)
            handover = store.assignments.filter(manager=vips[1], state="active").order_by("pk").first()
            if handover is not None:
                actions.request_handover(
                    handover,
                    actor=vips[1],
                    colleague=vips[0],
                    note="客户常在周末来店，喜欢红酒；下周有一单改衣待取。",
                )

    def wipe_demo_store(self):
        store = Store.objects.filter(code=STORE_CODE).first()
        if store is not None:
            # The apps' records that keep purchases or staff (a revival credited from a purchase).
            extensions.wipe_demo(store)
            # Purchases and members protect the store; remove them first, then the rest cascades.
            ContactLog.objects.filter(member__store=store).delete()
            Assignment.objects.filter(store=store).delete()
            Purchase.objects.filter(store=store).delete()
            # The apps' records that keep a member (complaints) go with the demo store too.
            for relation in Member._meta.related_objects:
                if relation.on_delete is models.PROTECT:
                    relation.related_model._base_manager.filter(
                        **{f"{relation.field.name}__store": store}
                    ).delete()
            Member.objects.filter(store=store).delete()
            AuditEntry.objects.filter(store=store).delete()
            Staff.objects.filter(store=store).delete()
            store.delete()
        # The demo's members are new: the next tick must make today's care tasks for them again.
        JobRun.objects.all().delete()
        usernames = [username for username, *_ in DEMO_STAFF]
        Staff.objects.filter(username__in=usernames, store__isnull=True).delete()
        taken = list(Staff.objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(f"Another store's staff already use the demo usernames: {', '.join(taken)}.")
        TierProgram.objects.filter(name=PROGRAM_NAME, stores__isnull=True).delete()

    def print_logins(self):
        staff = {s.username: s for s in Staff.objects.filter(username__in=[u for u, *_ in DEMO_STAFF])}
        if not staff:
            self.stdout.write("No demo logins in this database.")
            return
        rows = [("username", "password", "name", "role")]
        for username, display_name, roles, _admin in DEMO_STAFF:
            if username in staff:
                rows.append((username, DEMO_PASSWORD, display_name, ", ".join(str(r.label) for r in roles)))
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write(rule)
        for index, row in enumerate(rows):
            cells = [
                cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths, strict=True)
            ]
            self.stdout.write("| " + " | ".join(cells) + " |")
            if index == 0:
                self.stdout.write(rule)
        self.stdout.write(rule)


def display_width(text):
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


class Builder:
    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        # Before the store has been open an hour, the latest sales are yesterday's.
        self.today = now.date() if now.hour >= 11 else now.date() - dt.timedelta(days=1)
        self.tz = timezone.get_current_timezone()
        self.receipt_seq = 0

    def build(self):
        program = self.build_program()
        self.store = Store.objects.create(code=STORE_CODE, name=STORE_NAME, tier_program=program)
        self.staff = self.build_staff()
        self.tags = self.build_tags()
        members = self.build_members()
        self.build_purchases(members)
        self.build_contacts(members)

    def build_program(self):
        program = TierProgram.objects.create(
            name=PROGRAM_NAME, period_start_month=8, period_start_day=1, points_per_yuan=Decimal("1")
        )
        Tier.objects.bulk_create(Tier(program=program, **tier) for tier in TIERS)
        return program

    def build_staff(self):
        # One hash for the shared demo password: hashing is slow on purpose.
        password = make_password(DEMO_PASSWORD)
        groups = {group.name: group for group in Group.objects.filter(name__in=[r.value for r in Role])}
        staff = {}
        for username, display_name, roles, is_admin in DEMO_STAFF:
            user = Staff.objects.create(
                username=username,
                display_name=display_name,
                password=password,
                store=self.store,
                is_staff=is_admin,
            )
            user.groups.set([groups[role.value] for role in roles])
            staff[username] = user
        return staff

    def build_tags(self):
        for name in TAGS:
            Tag.objects.get_or_create(name=name)
        return {tag.name: tag for tag in Tag.objects.filter(name__in=TAGS)}

    # Members ---------------------------------------------------------------------------------

    def build_members(self):
        rng = self.rng
        segments = []
        for name, share in SEGMENTS:
            segments += [name] * round(share * MEMBER_COUNT)
        segments = (segments + ["regular"] * MEMBER_COUNT)[:MEMBER_COUNT]
        rng.shuffle(segments)

        phones = set()
        members = []
        for index, segment in enumerate(segments):
            gender = Member.Gender.FEMALE if rng.random() < 0.68 else Member.Gender.MALE
            if rng.random() < 0.02:
                gender = Member.Gender.UNKNOWN
            phone = self.unique_phone(phones)
            join_date = self.join_date(segment)
            birthday, lunar = self.birthday()
            tags = rng.sample(TAGS, rng.choice([1, 1, 2, 2, 2, 3]))
            member = Member(
                store=self.store,
                member_no=f"WF{100001 + index:06d}",
                name=self.name(gender),
                phone=phone,
                phone_last4=phone[-4:],
                gender=gender,
                birthday=birthday,
                birthday_is_lunar=lunar,
                anniversary=self.anniversary(birthday) if rng.random() < 0.35 else None,
                join_date=join_date,
                preferences=self.preferences(tags),
                sizes=self.sizes(gender),
                notes=rng.choice(NOTES) if rng.random() < 0.45 else "",
            )
            member.segment = segment
            member.tag_names = tags
            members.append(member)
        Member.objects.bulk_create(members)
        # Primary keys come back only where the database supports RETURNING; read them back by number.
        ids = dict(Member.objects.filter(store=self.store).values_list("member_no", "id"))
        for member in members:
            member.id = ids[member.member_no]
        Member.tags.through.objects.bulk_create(
            Member.tags.through(member_id=member.id, tag_id=self.tags[name].id)
            for member in members
            for name in member.tag_names
        )
        return members

    def name(self, gender):
        rng = self.rng
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
        pool = MALE_NAMES if gender == Member.Gender.MALE else FEMALE_NAMES
        return surname + rng.choice(pool)

    def unique_phone(self, taken):
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in taken:
                taken.add(phone)
                return phone

    def join_date(self, segment):
        rng = self.rng
        if segment in ("new", "signed_up"):
            return self.today - dt.timedelta(days=rng.randint(3, 80))
        # Long-standing members joined up to eight years ago.
        return self.today - dt.timedelta(days=rng.randint(760, 365 * 8))

    def birthday(self):
        rng = self.rng
        if rng.random() < 0.06:
            return None, False
        year = self.today.year - rng.randint(24, 68)
        lunar = rng.random() < 0.08
        # Lunar months have up to 30 days; days up to 28 exist in every Gregorian month too.
        day = rng.randint(1, 28)
        return dt.date(year, rng.randint(1, 12), day), lunar

    def anniversary(self, birthday):
        rng = self.rng
        earliest = (birthday.year + 23) if birthday else self.today.year - 40
        year = rng.randint(min(earliest, self.today.year - 1), self.today.year - 1)
        return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))

    def preferences(self, tags):
        parts = [TAG_PREFERENCES[tag] for tag in tags]
        parts.append(self.rng.choice(HABITS))
        return "；".join(parts) + "。"

    def sizes(self, gender):
        rng = self.rng
        if rng.random() < 0.15:
            return ""
        if gender == Member.Gender.MALE:
            shirt, suit, shoe = (
                rng.choice([39, 40, 41, 42, 43]),
                rng.choice([48, 50, 52]),
                rng.randint(40, 44),
            )
            return f"衬衫 {shirt} / 西装 {suit} / 鞋 {shoe}"
        top, dress, shoe = rng.choice(["S", "M", "L"]), rng.choice([34, 36, 38, 40]), rng.randint(35, 39)
        return f"上衣 {top} / 连衣裙 {dress} / 鞋 {shoe}"

    # Purchases -------------------------------------------------------------------------------

    def build_purchases(self, members):
        sellers = [self.staff[name] for name in ("vip1", "vip2", "vip3")]
        items = random.Random(SEED + 1)
        purchases = []
        for member in members:
            seller = self.rng.choice(sellers)
            for day, amount in self.history(member):
                purchases.append(
                    Purchase(
                        store=self.store,
                        member_id=member.id,
                        receipt_ref=self.receipt(day),
                        purchased_at=self.at(day),
                        amount=amount,
                        staff=seller if self.rng.random() < 0.7 else None,
                        items=items.choice(PURCHASE_ITEMS) if amount else "",
                    )
                )
        Purchase.objects.bulk_create(purchases, batch_size=2000)

    def history(self, member):
        """(date, amount) pairs: the shape of a member's last two years in this store."""
        rng = self.rng
        today = self.today
        two_years_ago = today - dt.timedelta(days=729)
        segment = member.segment
        if segment == "signed_up":
            return []
        # Days since the last purchase (low, high), days between purchases, median receipt in yuan.
        last_days, gap, median = SHAPES[segment]
        start = member.join_date if segment == "new" else two_years_ago
        end = today - dt.timedelta(days=rng.randint(*last_days))
        start = max(start, member.join_date)
        if end < start:
            end = start

        days = [end]
        day = end - dt.timedelta(days=rng.randint(*gap))
        while day >= start:
            days.append(day)
            day -= dt.timedelta(days=rng.randint(*gap))
        days.sort()

        sales = []
        for day in days:
            roll = rng.random()
            if roll < 0.03:
                # A visit without spend: an alteration picked up, a gift wrapped.
                sales.append((day, Decimal("0.00")))
                continue
            amount = self.amount(median)
            sales.append((day, amount))
            if roll > 0.96 and day < end:
                returned = min(amount, self.amount(median / 2))
                back = min(day + dt.timedelta(days=rng.randint(1, 7)), end)
                sales.append((back, -returned))

        # The big days that earn cards: a watch, a ring, a fur coat.
        if segment == "big_spender":
            for _ in range(rng.randint(1, 3)):
                day = today - dt.timedelta(days=rng.randint(1, 700))
                sales.append((day, self.amount(18000, spread=0.5)))
            if rng.random() < 0.6:
                sales.append((today - dt.timedelta(days=rng.randint(1, 60)), self.amount(36000, spread=0.2)))
        elif segment in ("regular", "new") and rng.random() < 0.2:
            sales.append((end, self.amount(7000, spread=0.2)))
        return sales

    def amount(self, median, spread=0.6):
        value = self.rng.lognormvariate(0, spread) * median
        # Department store prices: whole tens, often just under a round figure.
        value = max(10, round(value / 10) * 10 - self.rng.choice([0, 0, 0, 1, 2]))
        return Decimal(value).quantize(Decimal("0.01"))

    def at(self, day):
        minutes = self.rng.randint(10 * 60, 21 * 60 + 30)
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60, self.rng.randint(0, 59)))
        return min(
            timezone.make_aware(moment, self.tz), self.now - dt.timedelta(minutes=self.rng.randint(5, 50))
        )

    def receipt(self, day):
        self.receipt_seq += 1
        return f"WFJ{day:%Y%m%d}-{self.receipt_seq:06d}"

    # Contact log -----------------------------------------------------------------------------

    def build_contacts(self, members):
        rng = self.rng
        authors = [self.staff[name] for name in ("vip1", "vip2", "vip3", "desk", "care")]
        buyers = [m for m in members if m.segment in ("big_spender", "regular", "dormant", "new")]
        contacts = []
        for member in rng.sample(buyers, 40):
            for _ in range(rng.randint(1, 3)):
                channel = rng.choice(list(CONTACT_NOTES))
                when = self.at(self.today - dt.timedelta(days=rng.randint(1, 120)))
                contacts.append(
                    ContactLog(
                        member_id=member.id,
                        staff=rng.choice(authors),
                        channel=channel,
                        outcome=rng.choice(CHANNEL_OUTCOMES[channel]),
                        note=rng.choice(CONTACT_NOTES[channel]),
                        contacted_at=when,
                    )
                )
        ContactLog.objects.bulk_create(contacts)


class CareCadence:
    """Give each VIP manager a My day with a bit of everything the care cadence makes.

    The random histories leave it to chance whether a manager's members have a birthday this week
    or stopped coming three months ago. So, for the first few members of each manager's book, the
    dates are set relative to today: a birthday today or in the next days (greeting and gift), an
    anniversary, a first purchase a week or so ago, a last visit three and six months ago, a single
    visit in the last three months. Some of the tasks are due today, some a few days overdue, some
    upcoming; monthly care calls and the rest come from the ordinary data. Purchases are rewritten
    only for the shapes that need it; the caller refreshes the figures afterwards.
    """

    def __init__(self, today):
        self.today = today
        self.receipt_seq = 0

    def shape(self):
        store = Store.objects.get(code=STORE_CODE)
        # Days from today of: the birthday (greeting and gift), a second birthday (gift only), the
        # anniversary; days ago of: the first purchase, the last visit of a dormant and a lost member.
        plans = {
            "vip1": (0, 5, 1, 7, 92, 183),
            "vip2": (1, 6, 2, 9, 91, 182),
            "vip3": (2, 7, 0, 11, 93, 181),
        }
        for username, (
            birthday_in,
            gift_in,
            anniversary_in,
            first_ago,
            dormant_ago,
            lost_ago,
        ) in plans.items():
            members = list(
                Member.objects.filter(
                    assignments__manager__username=username,
                    assignments__state__in=Assignment.CURRENT_STATES,
                ).order_by("member_no")[:7]
            )
            if len(members) < 7:
                continue
            birthday, gift, anniversary, newcomer, dormant, lost, slowing = members
            self.move_birthday(birthday, birthday_in)
            self.move_birthday(gift, gift_in)
            anniversary.anniversary = self.on(anniversary.anniversary or dt.date(2010, 1, 1), anniversary_in)
            anniversary.save(update_fields=["anniversary"])
            # The satisfaction call falls due 7 days after the first purchase, the dormant review 91
            # days and the call 181 days after the last visit: due today or a few days overdue.
            self.first_visit_only(store, newcomer, self.today - dt.timedelta(days=first_ago))
            self.last_visit(store, dormant, self.today - dt.timedelta(days=dormant_ago))
            self.last_visit(store, lost, self.today - dt.timedelta(days=lost_ago))
            # One small visit in the last 90 days where there used to be several: the follow-up call.
            slowing.purchases.filter(purchased_at__gte=self.at(self.today - dt.timedelta(days=89))).delete()
            self.purchase(store, slowing, self.today - dt.timedelta(days=40), Decimal("680.00"))

    def on(self, yearly, days_ahead):
        """The same year as `yearly`, on the month and day `days_ahead` days from today."""
        day = self.today + dt.timedelta(days=days_ahead)
        if (day.month, day.day) == (2, 29):
            day -= dt.timedelta(days=1)
        return yearly.replace(month=day.month, day=day.day)

    def move_birthday(self, member, days_ahead):
        born = member.birthday or dt.date(1980, 1, 1)
        member.birthday = self.on(born, days_ahead)
        member.birthday_is_lunar = False
        member.save(update_fields=["birthday", "birthday_is_lunar"])

    def first_visit_only(self, store, member, day):
        member.purchases.all().delete()
        member.join_date = day
        member.save(update_fields=["join_date"])
        self.purchase(store, member, day, Decimal("36800.00"))

    def last_visit(self, store, member, day):
        member.purchases.filter(purchased_at__gte=self.at(day)).delete()
        self.purchase(store, member, day, Decimal("2680.00"))

    def at(self, day, hour=0):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def purchase(self, store, member, day, amount):
        self.receipt_seq += 1
        Purchase.objects.create(
            store=store,
            member=member,
            receipt_ref=f"WFJ{day:%Y%m%d}-C{self.receipt_seq:05d}",
            purchased_at=self.at(day, 15),
            amount=amount,
            items=PURCHASE_ITEMS[self.receipt_seq % len(PURCHASE_ITEMS)],
        )
