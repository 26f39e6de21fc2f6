"""The real services behind the embedded defaults: PostgreSQL's constraints and the Redis channel layer."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction

from concierge.models import Member
from tests.factories import MemberFactory, PurchaseFactory


@pytest.mark.redis
def test_the_channel_layer_is_redis_and_carries_a_group_message():
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("test.services", channel)
    try:
        async_to_sync(layer.group_send)("test.services", {"type": "alert.show", "html": "<p>到店</p>"})
        message = async_to_sync(layer.receive)(channel)
    finally:
        async_to_sync(layer.group_discard)("test.services", channel)
    assert message == {"type": "alert.show", "html": "<p>到店</p>"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_enforces_the_uniqueness_and_value_class_rules(store, other_store):
    MemberFactory(store=store, member_no="V001")
    MemberFactory(store=other_store, member_no="V001")  # the same number in another store is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(store=store, member_no="V001")
    purchase = PurchaseFactory(member__store=store, receipt_ref="R-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseFactory(member=purchase.member, receipt_ref="R-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(member_no="V001", store=store).update(value_class="D")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_member_row_lock_blocks_a_second_writer(store):
    """select_for_update really locks on PostgreSQL: a second connection cannot take the row."""
    from django.db import connections
    from django.db.utils import OperationalError

    member = MemberFactory(store=store)
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                with pytest.raises(OperationalError, match="lock timeout"):
                    cursor.execute(
                        f"SELECT id FROM {Member._meta.db_table} WHERE id = %s FOR UPDATE", [member.pk]
                    )
        finally:
            other.close()
