"""The visit's preparation checklist: each department involved gets its items and an alert.

Items come from what was booked (the room, drinks, allergies, items to pull, brands, the car); the
host always reads the member's profile first. Departments tick their items off on the visit's
page; the visit shows "ready" when the last one is done (concierge.appointments.visits).
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from concierge.i18n import Message
from concierge.models import Department, DepartmentContact, PreparationItem, Staff
from concierge.models.appointments import DEPARTMENT_FALLBACK_ROLE
from concierge.workflow import alert


def planned_items(appointment):
    """[(department, Message)] for what was booked, in the order the checklist shows them."""
    plan = [(Department.HOST, Message(gettext_noop("Read the member's profile and today's needs")))]
    if appointment.room_id:
        plan.append(
            (
                Department.FRONT_DESK,
                Message(
                    gettext_noop("%(room)s ready for %(count)s"),
                    room=appointment.room.name,
                    count=appointment.party_size,
                ),
            )
        )
    if appointment.drinks or appointment.allergies:
        plan.append((Department.CATERING, _catering(appointment)))
    if appointment.items_to_pull:
        plan.append(
            (
                Department.HOST,
                Message(gettext_noop("Pull the items: %(items)s"), items=appointment.items_to_pull[:150]),
            )
        )
    if appointment.brands:
        plan.append(
            (
                Department.BRAND,
                Message(gettext_noop("Tell the counters: %(brands)s"), brands=appointment.brands),
            )
        )
    if appointment.car_plate:
        plan.append(
            (
                Department.CONCIERGE,
                Message(gettext_noop("Free parking for %(plate)s"), plate=appointment.car_plate),
            )
        )
    return plan


def _catering(appointment):
    if appointment.drinks and appointment.allergies:
        return Message(
            gettext_noop("Drinks: %(drinks)s (allergies: %(allergies)s)"),
            drinks=appointment.drinks,
            allergies=appointment.allergies,
        )
    if appointment.drinks:
        return Message(gettext_noop("Drinks: %(drinks)s"), drinks=appointment.drinks)
    return Message(gettext_noop("Allergies to respect: %(allergies)s"), allergies=appointment.allergies)


def start_preparation(appointment, actor):
    """Write the visit's checklist and alert each department involved (the host included).

    Call inside the booking action, after the visit is saved. The items' text is written in the
    store's language (a checklist is shared by people who may read different languages, and its
    items are edited as plain text). Side effects: PreparationItem rows; Alert rows per department
    contact, pushed after commit. Returns the items.
    """
    from django.utils import translation

    language = appointment.store.default_language
    with translation.override(language):
        items = PreparationItem.objects.bulk_create(
            PreparationItem(
                appointment=appointment, department=department, text=str(text)[:200], position=index
            )
            for index, (department, text) in enumerate(planned_items(appointment))
        )
    departments = {item.department for item in items}
    recipients = department_staff(appointment, departments)
    alert(
        [person for person in recipients if person.pk != getattr(actor, "pk", None)],
        "appointment.prepare",
        appointment,
        Message(
            gettext_noop("Prepare for %(member)s, %(when)s"),
            member=appointment.member.name,
            when=local_text(appointment.starts_at),
        ),
        link=f"/visits/{appointment.pk}/",
    )
    return items


def local_text(moment):
    """A visit's time as alerts write it: "12-02 15:00" in the store's time zone."""
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def department_staff(appointment, departments):
    """The staff told about these departments' items: the host for "host" (and for brand counters,
    which the host liaises with, unless someone is named), each department's named contacts, else
    the store's front desk."""
    departments = set(departments)
    people = {}
    named = DepartmentContact.objects.filter(
        store_id=appointment.store_id, department__in=departments, staff__is_active=True
    ).select_related("staff")
    covered = set()
    for contact in named:
        people[contact.staff_id] = contact.staff
        covered.add(contact.department)
    if Department.HOST in departments or (
        Department.BRAND in departments and Department.BRAND not in covered
    ):
        people[appointment.host_id] = appointment.host
    roles = {
        DEPARTMENT_FALLBACK_ROLE[d].value for d in departments - covered if d in DEPARTMENT_FALLBACK_ROLE
    }
    if roles:
        for person in Staff.objects.filter(
            Q(groups__name__in=roles), store_id=appointment.store_id, is_active=True
        ).distinct():
            people[person.pk] = person
    return list(people.values())
