"""Fill the benchmark database with a department-store chain at scale.

    .venv/bin/python -m bench.generate                      # 10 stores, 300 staff, 200k members, 2M purchases
    .venv/bin/python -m bench.generate --members 2000 --purchases 20000   # smoke test

The database named by BENCH_DATABASE_URL (default concierge_bench) is dropped, created and
migrated, then loaded with PostgreSQL COPY. The data is deterministic for a given seed and as-of
date: the same arguments give the same members, purchases and receipts.

Members fall into segments so every value class, lifecycle state and tier occurs: a few heavy
spenders, loyal regulars, many occasional buyers, dormant and lost members, new members and some
who never bought. Purchases are written in date order, as a till would have written them, so a
member's purchases are spread over the table as in production rather than stored side by side.
"""

import argparse
import datetime as dt
import math
import random
import sys
import time
from array import array

from bench import create_database, setup_django

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆帅旭宁龙林欣"
    "怡佳雪琳晨婷倩颖璐瑶婕雯思琪晓梅慧莉蕾瑞博文轩子涵梓萱一诺雨泽嘉懿安然悦心语诗"
)
TAGS = [
    "瓷器",
    "美妆",
    "高尔夫",
    "珠宝",
    "腕表",
    "红酒",
    "茶艺",
    "书画",
    "皮具",
    "女装",
    "男装",
    "童装",
    "运动",
    "户外",
    "瑜伽",
    "健康养生",
    "美容护肤",
    "香水",
    "家居",
    "厨具",
    "数码",
    "旅行",
    "摄影",
    "音乐会",
    "亲子",
    "宠物",
    "烘焙",
    "咖啡",
    "花艺",
    "收藏",
]
STORES = [
    ("bj01", "北京王府井店"),
    ("sh01", "上海淮海店"),
    ("gz01", "广州天河店"),
    ("sz01", "深圳福田店"),
    ("cd01", "成都春熙店"),
    ("hz01", "杭州湖滨店"),
    ("nj01", "南京新街口店"),
    ("wh01", "武汉江汉店"),
    ("xa01", "西安钟楼店"),
    ("tj01", "天津和平店"),
]
# 30 staff a store: managers, reception and complaint desks, and the VIP managers on the floor.
STAFF_ROLES = ["store_manager"] * 2 + ["front_desk"] * 5 + ["complaint_handler"] * 3 + ["vip_manager"] * 20
BENCH_PASSWORD = "bench-pass-2024"

# name: (share of members, mean log weight of purchase count, median purchase in yuan, days since
# the last purchase as (low, high) before the as-of date). Weights are log-normal, so each segment
# has its own long tail; "new" and "never" are sized separately below.
SEGMENTS = {
    "heavy": (0.04, 3.4, 2600, (0, 20)),
    "loyal": (0.16, 2.6, 1100, (0, 45)),
    "occasional": (0.35, 1.4, 550, (0, 120)),
    "dormant": (0.15, 1.3, 650, (91, 180)),
    "lost": (0.20, 1.0, 500, (181, None)),
    "new": (0.07, None, 700, (0, 30)),
    "never": (0.03, None, None, None),
}
RETURN_SHARE = 0.025
VISIT_SHARE = 0.01


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--staff", type=int, default=300, help="total staff over all stores")
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--purchases", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=900, help="days of purchase history (about 2.5 years)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="last day of history")
    parser.add_argument("--seed", type=int, default=20241122)
    parser.add_argument(
        "--no-refresh", action="store_true", help="skip refresh_members after loading (figures stay empty)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.stores <= len(STORES):
        parser.error(f"--stores must be between 1 and {len(STORES)}")
    return args


def log(message, started=None):
    suffix = f" ({time.perf_counter() - started:.1f} s)" if started is not None else ""
    print(f"{message}{suffix}", flush=True)


def make_stores_and_staff(args, rng, now):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from concierge.models import Staff, Store, Tier, TierProgram

    program = TierProgram.objects.create(
        name="王府井 ME / WE / SVIP", period_start_month=8, period_start_day=1
    )
    Tier.objects.bulk_create(
        [
            Tier(
                program=program,
                name="ME",
                rank=1,
                min_day_points=500,
                renewal_points=1000,
                birthday_gift=True,
                other_benefits="免费停车2小时",
            ),
            Tier(
                program=program,
                name="WE",
                rank=2,
                min_day_points=6000,
                min_month_points=12000,
                min_period_points=10000,
                renewal_points=10000,
                salons=True,
                lounge=True,
                birthday_gift=True,
                other_benefits="免费停车3小时",
            ),
            Tier(
                program=program,
                name="SVIP",
                rank=3,
                min_day_points=30000,
                min_month_points=60000,
                min_period_points=60000,
                renewal_points=60000,
                dedicated_manager=True,
                closed_store_events=True,
                salons=True,
                lounge=True,
                birthday_gift=True,
                other_benefits="免费停车3小时 · 贵宾休息室",
            ),
        ]
    )
    stores = Store.objects.bulk_create(
        [Store(code=code, name=name, tier_program=program) for code, name in STORES[: args.stores]]
    )

    # One hash for everyone: hashing 300 passwords at full strength would take minutes.
    password = make_password(BENCH_PASSWORD)
    groups = {group.name: group for group in Group.objects.all()}
    staff, roles_of = [], []
    per_store = max(1, args.staff // len(stores))
    for store in stores:
        for i in range(per_store):
            role = STAFF_ROLES[i % len(STAFF_ROLES)]
            staff.append(
                Staff(
                    username=f"{store.code}-{role.replace('_', '-')}-{i + 1:02d}",
                    display_name=random_name(rng),
                    password=password,
                    store=store,
                    date_joined=now,
                )
            )
            roles_of.append([role])
    # The first store manager of each store also serves VIPs, as small stores do.
    for index, roles in enumerate(roles_of):
        if index % per_store == 0:
            roles.append("vip_manager")
    staff = Staff.objects.bulk_create(staff)
    Through = Staff.groups.through
    Through.objects.bulk_create(
        [
            Through(staff_id=person.pk, group_id=groups[role].pk)
            for person, roles in zip(staff, roles_of, strict=True)
            for role in roles
        ]
    )
    floor_staff = {store.pk: [] for store in stores}
    for person, roles in zip(staff, roles_of, strict=True):
        if "vip_manager" in roles:
            floor_staff[person.store_id].append(person.pk)
    return stores, staff, floor_staff


def allocate_purchase_counts(rng, segments, target):
    """Purchases per member: log-normal weights scaled so the total is exactly `target`."""
    counts = [0] * len(segments)
    weights = [0.0] * len(segments)
    fixed = 0
    for i, segment in enumerate(segments):
        if segment == "never":
            continue
        if segment == "new":
            counts[i] = rng.choice((1, 1, 1, 2, 2, 3))
            fixed += counts[i]
            continue
        weights[i] = rng.lognormvariate(SEGMENTS[segment][1], 0.8)
    scalable = [i for i, w in enumerate(weights) if w > 0]
    if not scalable:
        return counts
    remaining = max(target - fixed, len(scalable))
    scale = remaining / sum(weights[i] for i in scalable)
    for i in scalable:
        counts[i] = max(1, int(weights[i] * scale))
    shortfall = target - sum(counts)
    if shortfall > 0:
        for i in rng.choices(scalable, weights=[weights[i] for i in scalable], k=shortfall):
            counts[i] += 1
    while shortfall < 0:
        i = rng.choice(scalable)
        if counts[i] > 1:
            counts[i] -= 1
            shortfall += 1
    return counts


def random_phone(rng):
    prefix = rng.choice(
        ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "158", "186", "188")
    )
    return f"{prefix}{rng.randrange(10**8):08d}"


def random_name(rng):
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def lognormal_cents(rng, median_yuan):
    value = rng.lognormvariate(math.log(median_yuan), 0.85)
    if value > 5000:
        return int(round(value, -1)) * 100  # big tickets are priced in round tens
    return int(value * 100)


def clock(second):
    return f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


def cents_text(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def generate(args):
    from django.core.management import call_command, get_commands
    from django.db import connection
    from django.utils import timezone

    as_of = args.as_of or timezone.localdate()
    first_day = as_of - dt.timedelta(days=args.days - 1)
    now = timezone.now()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    stores, staff, floor_staff = make_stores_and_staff(args, rng, now)
    store_number = {store.pk: number for number, store in enumerate(stores, start=1)}
    log(f"{len(stores)} stores, {len(staff)} staff, tier program ME/WE/SVIP", started)

    # Members: decide each one's segment, store and purchase count first.
    started = time.perf_counter()
    segment_names = list(SEGMENTS)
    shares = [SEGMENTS[name][0] for name in segment_names]
    member_segments = rng.choices(segment_names, weights=shares, k=args.members)
    counts = allocate_purchase_counts(rng, member_segments, args.purchases)
    member_store = [stores[rng.randrange(len(stores))].pk for _ in range(args.members)]

    from concierge.models import Tag

    tags = Tag.objects.bulk_create([Tag(name=name) for name in TAGS])
    tag_ids = [tag.pk for tag in tags]
    # Interests are uneven too: beauty and fashion are common, porcelain collectors are few.
    tag_weights = [1.0 / (rank + 2) for rank in range(len(tag_ids))]

    # Purchases are bucketed by day as packed integers (member, second of day, cents, staff),
    # so 2 million of them fit in tens of megabytes and can be written in date order.
    buckets = [array("q") for _ in range(args.days)]
    next_no = {}
    member_rows, tag_rows = [], []
    for index in range(args.members):
        member_id = index + 1
        segment = member_segments[index]
        store_id = member_store[index]
        next_no[store_id] = next_no.get(store_id, 0) + 1
        member_no = f"{store_number[store_id]:02d}{next_no[store_id]:07d}"
        _, _, median, recency = SEGMENTS[segment]
        count = counts[index]

        if segment == "new":
            join_offset = args.days - 1 - rng.randrange(min(89, args.days))
        else:
            # Many members joined before the history we hold; their first purchase here is later.
            join_offset = rng.randrange(-1000, max(1, args.days - 120))
        join_date = first_day + dt.timedelta(days=join_offset)

        if count:
            low, high = recency
            high = args.days - 1 if high is None else high
            last_offset = args.days - 1 - min(args.days - 1, rng.randint(low, max(low, high)))
            start_offset = min(max(0, join_offset), last_offset)
            floor = floor_staff[store_id]
            for n in range(count):
                # The last purchase sets the lifecycle; the others fall anywhere in the active span.
                day = last_offset if n == 0 else rng.randint(start_offset, last_offset)
                second = rng.randrange(10 * 3600, 22 * 3600)
                roll = rng.random()
                if roll < VISIT_SHARE:
                    cents = 0
                elif roll < VISIT_SHARE + RETURN_SHARE and n:
                    cents = -lognormal_cents(rng, median * 0.6)
                else:
                    cents = lognormal_cents(rng, median)
                seller = floor[rng.randrange(len(floor))] if floor and rng.random() < 0.7 else 0
                buckets[day].extend((member_id, second, cents, seller))

        phone = "" if rng.random() < 0.04 else random_phone(rng)
        gender = rng.choices(("f", "m", ""), weights=(62, 33, 5))[0]
        birthday = None
        if rng.random() < 0.9:
            birthday = dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
        anniversary = None
        if rng.random() < 0.3:
            anniversary = dt.date(rng.randint(1985, 2023), rng.randint(1, 12), rng.randint(1, 28))
        member_tags = sorted(
            set(rng.choices(tag_ids, weights=tag_weights, k=rng.choice((0, 1, 1, 2, 2, 3, 4))))
        )
        for tag_id in member_tags:
            tag_rows.append((member_id, tag_id))
        sizes = ""
        if rng.random() < 0.5:
            sizes = f"上衣 {rng.choice('SMLX')} · 鞋 {rng.randint(35, 44)}"
        notes = "喜欢安静的试衣间; 来店前先电话预约。" if rng.random() < 0.05 else ""
        member_rows.append(
            (
                member_id,
                store_id,
                member_no,
                random_name(rng),
                phone,
                phone[-4:],  # what Member.save() keeps, which COPY bypasses
                gender,
                birthday,
                rng.random() < 0.08,
                anniversary,
                join_date,
                "",
                sizes,
                notes,
                "",  # outreach_pause_reason: no member is paused
                "",  # form_of_address: greeted by surname and gender
                # A third come by car: derived from the id, so the random draws stay as they were.
                f"京{'ABCEFGHJKLMNPQ'[member_id % 14]}{member_id % 100000:05d}" if member_id % 3 == 0 else "",
                "",
                "new",
                0,
                0,
                now,
                now,
            )
        )
    log(f"generated {len(member_rows):,} members, {sum(counts):,} purchases in memory", started)

    with connection.cursor() as cursor:
        pg = cursor.connection
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")

        started = time.perf_counter()
        with pg.transaction():
            with cursor.copy(
                "COPY concierge_member (id, store_id, member_no, name, phone, phone_last4, gender,"
                " birthday, birthday_is_lunar, anniversary, join_date, preferences, sizes, notes,"
                " outreach_pause_reason, form_of_address, car_plate, value_class, lifecycle, spend_12m,"
                " purchase_count, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in member_rows:
                    copy.write_row(row)
            with cursor.copy("COPY concierge_member_tags (member_id, tag_id) FROM STDIN") as copy:
                for row in tag_rows:
                    copy.write_row(row)
        log(f"copied {len(member_rows):,} members and {len(tag_rows):,} interest links", started)
        del member_rows, tag_rows

        started = time.perf_counter()
        purchase_id = 0
        with (
            pg.transaction(),
            cursor.copy(
                "COPY concierge_purchase"
                " (id, store_id, member_id, receipt_ref, purchased_at, amount, staff_id) FROM STDIN"
            ) as copy,
        ):
            for offset, bucket in enumerate(buckets):
                day_text = (first_day + dt.timedelta(days=offset)).isoformat()
                # Within a day, the till prints receipts in time order.
                entries = sorted(
                    (bucket[i + 1], bucket[i], bucket[i + 2], bucket[i + 3]) for i in range(0, len(bucket), 4)
                )
                for second, member_id, cents, seller in entries:
                    purchase_id += 1
                    copy.write_row(
                        (
                            purchase_id,
                            member_store[member_id - 1],
                            member_id,
                            f"R{purchase_id:010d}",
                            f"{day_text} {clock(second)}+08",
                            cents_text(cents),
                            seller or None,
                        )
                    )
                buckets[offset] = None
        log(f"copied {purchase_id:,} purchases", started)

        started = time.perf_counter()
        for table in ("concierge_member", "concierge_purchase", "concierge_member_tags"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT max(id) FROM {table}), 1))"
            )
        cursor.execute("VACUUM ANALYZE")
        log("VACUUM ANALYZE", started)

    if not args.no_refresh:
        if "refresh_members" in get_commands():
            started = time.perf_counter()
            call_command("refresh_members", "--as-of", as_of.isoformat())
            log("refresh_members", started)
        else:
            log("refresh_members is not available yet: member figures stay empty until it runs")
    return as_of


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    from bench import bench_database_url

    url = bench_database_url()
    total = time.perf_counter()
    started = time.perf_counter()
    create_database(url, recreate=True)
    setup_django(production_like=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log(f"created and migrated {url.rsplit('/', 1)[-1]}", started)
    as_of = generate(args)
    log(f"done: data up to {as_of}; staff log in with password {BENCH_PASSWORD!r}", total)


if __name__ == "__main__":
    main()
