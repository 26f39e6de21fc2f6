import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from concierge.models import Appointment, ContactLog, Member, Purchase, Room, Staff, Store, Tier, TierProgram


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"s{n:03d}")
    name = factory.Sequence(lambda n: f"Store {n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"Staff {n}")
    store = factory.SubFactory(StoreFactory)
    password = factory.django.Password("pw-demo-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=str(role)) for role in extracted])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    store = factory.SubFactory(StoreFactory)
    member_no = factory.Sequence(lambda n: f"M{n:06d}")
    name = factory.Sequence(lambda n: f"会员{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    join_date = dt.date(2024, 1, 1)


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    member = factory.SubFactory(MemberFactory)
    store = factory.SelfAttribute("member.store")
    receipt_ref = factory.Sequence(lambda n: f"R{n:08d}")
    purchased_at = factory.LazyFunction(timezone.now)
    amount = Decimal("100.00")


class ContactLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLog

    member = factory.SubFactory(MemberFactory)
    staff = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..member.store"))
    channel = ContactLog.Channel.PHONE
    outcome = ContactLog.Outcome.REACHED
    contacted_at = factory.LazyFunction(timezone.now)


class TierProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierProgram

    name = "Card program"
    period_start_month = 8
    period_start_day = 1


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    program = factory.SubFactory(TierProgramFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)
    min_period_points = 1000


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"VIP lounge {n}")
    capacity = 4


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked visit, written straight to the table (the booking action is not what such tests
    test); give `host` of the visit's store."""

    class Meta:
        model = Appointment

    member = factory.SubFactory(MemberFactory)
    store = factory.SelfAttribute("member.store")
    host = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..member.store"))
    purpose = Appointment.Purpose.SHOPPING
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda visit: visit.starts_at + dt.timedelta(hours=1))
