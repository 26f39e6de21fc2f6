from decimal import Decimal

from complaints import actions
from complaints.models import Complaint


def test_record_route_resolve_feedback(
    clock, store, member, quality, complaint_handler, store_manager, nine_to_five
):
    complaint = actions.record_complaint(
        actor=complaint_handler,
        store=store,
        member=member,
        category=quality,
        channel=Complaint.Channel.COUNTER,
        severity="medium",
        description="拉链坏了",
    )
    assert complaint.state == Complaint.State.ROUTED
    assert complaint.handler == complaint_handler
    member.refresh_from_db()
    assert member.outreach_held
    clock.advance(minutes=30)
    actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="called")
    complaint = actions.resolve(
        complaint, actor=complaint_handler, solution="repair", compensation="gift", value=Decimal("50")
    )
    assert complaint.state == Complaint.State.RESOLVED
    complaint = actions.record_feedback(complaint, actor=complaint_handler, satisfied=True, score=5)
    assert complaint.state == Complaint.State.CLOSED
    member.refresh_from_db()
    assert member.outreach_paused_until is None
