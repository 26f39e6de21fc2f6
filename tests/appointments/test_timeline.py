"""The visit's history reads as sentences for what the booking actions wrote."""

from django.utils import translation

from concierge.appointments.booking import reschedule_appointment, update_needs
from concierge.appointments.timeline import timeline
from tests.appointments.conftest import at


@translation.override("en")
def test_booking_moving_and_changing_needs_read_as_sentences(book, front_desk):
    visit = book()
    visit = reschedule_appointment(visit, actor=front_desk, starts_at=at(2026, 12, 2, 17, 0), minutes=60)
    update_needs(visit, actor=front_desk, drinks="热水")
    texts = [step.text for step in timeline(visit)]
    assert texts[0] == "Booked the visit."
    assert texts[1] == "Moved the visit from 12-02 15:00–16:00 to 12-02 17:00–18:00."
    assert texts[2] == "Changed what the member needs."
    assert all(step.who == str(front_desk) for step in timeline(visit))
