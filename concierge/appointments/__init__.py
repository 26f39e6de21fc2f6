"""Appointment reception: booking, preparation, the arrivals board, service, farewell, follow-up.

- availability.py: whether a host and a room are free, and the store open, for a time (the rules
  booking, rescheduling, walk-ins and undoing a no-show share);
- booking.py: book, reschedule, confirm, cancel;
- preparation.py: the checklist per department, made at booking, ticked off by each department;
- arrivals.py: check-in, walk-ins, the host's "on my way", escalation when nobody answers;
- visits.py: service, farewell, follow-up, no-shows and their undoing, purchases during a visit;
- live.py: the arrivals board's live refresh on every tablet of the store;
- ics.py: the visit as a calendar file for the member;
- stats.py: the store manager's figures;
- setup.py: rooms, department contacts, staff hours and blocks, the reception rules;
- demo.py: the demo store's visits.

Every change goes through the workflow kernel (concierge.workflow).
"""
