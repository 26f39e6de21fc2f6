"""Writing one batch of parsed rows, with a handful of set-based queries per batch, never per row.

Each batch runs in a savepoint inside the import's own transaction (see run.py): a batch that
collides with a concurrent import is looked up again once, and an error anywhere undoes the file.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from concierge import rawsql
from concierge.models import Member, Purchase, Tag
from concierge.models.members import phone_digits

LOOKUP_SIZE = 5000
PURCHASE = Purchase._meta.db_table
STORED_FIELDS = [
    Purchase._meta.get_field(name)
    for name in ("receipt_ref", "id", "member", "purchased_at", "amount", "items")
]


def lookup_chunks(values):
    # SQLite builds may cap a statement at 999 parameters; PostgreSQL takes a batch at once.
    size = 900 if connection.vendor == "sqlite" else LOOKUP_SIZE
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def with_retry(write):
    """Run one batch in a savepoint; if a concurrent import inserted the same keys first, look again."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            return write()


def write_members(store, batch):
    """batch: [(line, member_no, values, tags)]. Returns (created, updated, unchanged, ids to refresh).

    The ids are those of members whose join date was set: with no purchases, it decides their
    lifecycle.
    """
    numbers = [member_no for _line, member_no, _values, _tags in batch]
    existing = {}
    for chunk in lookup_chunks(numbers):
        existing.update(
            (member.member_no, member) for member in Member.objects.filter(store=store, member_no__in=chunk)
        )
    through = Member.tags.through
    current_tags = {}
    tagged_ids = [existing[no].pk for _line, no, _values, tags in batch if tags and no in existing]
    for chunk in lookup_chunks(tagged_ids):
        for member_id, tag_name in through.objects.filter(member_id__in=chunk).values_list(
            "member_id", "tag__name"
        ):
            current_tags.setdefault(member_id, set()).add(tag_name)

    now = timezone.now()
    to_create, to_update, update_fields, wanted_links, joined = [], [], {"updated_at"}, [], []
    created = updated = unchanged = 0
    for _line, member_no, values, tags in batch:
        member = existing.get(member_no)
        if member is None:
            member = Member(store=store, member_no=member_no, **values)
            # bulk_create skips save(), which keeps the search column in step.
            member.phone_last4 = phone_digits(member.phone)[-4:]
            to_create.append(member)
            wanted_links.extend((member, tag) for tag in tags)
            if member.join_date:
                joined.append(member)
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(member, name) != value]
        new_tags = [tag for tag in tags if tag not in current_tags.get(member.pk, ())]
        if not changed and not new_tags:
            unchanged += 1
            continue
        for name in changed:
            setattr(member, name, values[name])
        if "phone" in changed:
            member.phone_last4 = phone_digits(member.phone)[-4:]
            changed.append("phone_last4")
        if "join_date" in changed:
            joined.append(member)
        member.updated_at = now
        update_fields.update(changed)
        to_update.append(member)
        wanted_links.extend((member, tag) for tag in new_tags)
        updated += 1

    Member.objects.bulk_create(to_create, batch_size=1000)
    if to_create and to_create[0].pk is None:
        ids = dict(
            Member.objects.filter(store=store, member_no__in=[m.member_no for m in to_create]).values_list(
                "member_no", "id"
            )
        )
        for member in to_create:
            member.pk = ids[member.member_no]
    if to_update:
        Member.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
    if wanted_links:
        names = {tag for _member, tag in wanted_links}
        Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
        tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
        through.objects.bulk_create(
            [through(member_id=member.pk, tag_id=tag_ids[tag]) for member, tag in wanted_links],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return created, updated, unchanged, [member.pk for member in joined]


def skips_known():
    """Whether an INSERT can skip the rows already stored and tell which it inserted (ON CONFLICT
    DO NOTHING RETURNING: PostgreSQL, SQLite 3.35 and later)."""
    return connection.features.can_return_rows_from_bulk_insert


def write_purchases(store, batch, *, staff=None):
    """batch: {receipt: (line, member_id, moment, amount, items)}; staff: {receipt: staff id} of the
    receipts whose seller is known (the till's API names them), set on new purchases only.

    A receipt already stored with the same member, time and amount is unchanged, or updated when
    the row names items the stored one lacks or names otherwise (a blank never erases); with
    another member, time or amount it is a conflict. Returns (created, updated, unchanged,
    conflicts [(line, receipt, (member_id, moment, amount))], ids of members with new purchases).

    Where the database can say which rows an INSERT skipped (skips_known), all the receipts are
    inserted first, skipping those already stored, and only the skipped ones are looked up: a
    till's purchase costs one statement rather than a lookup and an insert, and a concurrent
    writer of the same receipts needs no retry (the insert waits for its rows, then skips them).
    Elsewhere the receipts are looked up first and the new ones inserted: call it in with_retry.
    """
    staff = staff or {}

    def purchase(receipt):
        _line, member_id, moment, amount, items = batch[receipt]
        return Purchase(
            store=store,
            member_id=member_id,
            receipt_ref=receipt,
            purchased_at=moment,
            amount=amount,
            items=items,
            staff_id=staff.get(receipt),
        )

    inserted = set()
    if skips_known():
        inserted = {
            receipt
            for (receipt,) in rawsql.insert_skipping(
                [purchase(receipt) for receipt in batch], ("store", "receipt_ref"), ("receipt_ref",)
            )
        }
    new_ids = {batch[receipt][1] for receipt in inserted}
    rest = [receipt for receipt in batch if receipt not in inserted]
    stored = {}
    for chunk in lookup_chunks(rest):
        # Written out: a till's request may ask it for every purchase (concierge/rawsql.py).
        among, params = rawsql.any_of("receipt_ref", chunk)
        stored.update(
            (receipt, (pk, member_id, moment, amount, items))
            for receipt, pk, member_id, moment, amount, items in rawsql.select(
                f"SELECT receipt_ref, id, member_id, purchased_at, amount, items FROM {PURCHASE}"
                f" WHERE store_id = %s AND {among}",
                [store.pk, *params],
                STORED_FIELDS,
            )
        )
    new, changed_items, conflicts = [], [], []
    unchanged = 0
    for receipt in rest:
        line, member_id, moment, amount, items = batch[receipt]
        found = stored.get(receipt)
        if found is None:
            # Not tried yet, or (rarely) removed since the insert skipped it.
            new.append(purchase(receipt))
            new_ids.add(member_id)
        elif found[1:4] != (member_id, moment, amount):
            conflicts.append((line, receipt, found[1:4]))
        elif items and items != found[4]:
            changed_items.append(Purchase(pk=found[0], items=items))
        else:
            unchanged += 1
    Purchase.objects.bulk_create(new, batch_size=LOOKUP_SIZE)
    if changed_items:
        Purchase.objects.bulk_update(changed_items, ["items"], batch_size=500)
    return len(inserted) + len(new), len(changed_items), unchanged, conflicts, new_ids
