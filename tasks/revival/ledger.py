"""The incentive ledger: the store manager approves entries, marks them paid, and corrects them.

Entries are made by the credit (tasks/revival/credit.py: rewards, target bonuses, claw-backs) and
by a correction here; none is ever edited or deleted. A wrong amount is answered by a correction
entry of its own, audited like every other change. Approving and paying lock only the entries
(level 4 of the kernel's order), so they never wait for a purchase being credited for long.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from concierge.models import Staff
from concierge.workflow import ActionRefused, action, audit, lock, lock_staff, transition
from tasks.models import IncentiveEntry, RevivalCampaign

Entry = IncentiveEntry.State
MAX_CORRECTION = 1_000_000


def _manager_of(store, actor):
    if not actor.has_perm("tasks.manage_revival") or actor.store_id != store.pk:
        raise ActionRefused(_("Only the store manager of this store may do this."))


NONE_IN_STATE = {
    Entry.PENDING: _lazy("None of the chosen entries is waiting for approval."),
    Entry.APPROVED: _lazy("None of the chosen entries is approved and waiting for payment."),
}


def _entries(store, ids, state):
    """The chosen entries of the store that are in `state`, locked; the others are left alone (a
    selection may mix states, or someone was first). Refused when none is."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        raise ActionRefused(_("Choose the entries first."))
    rows = [row for row in lock(IncentiveEntry.objects.filter(store=store, pk__in=ids)) if row.state == state]
    if not rows:
        raise ActionRefused(str(NONE_IN_STATE[state]))
    return rows


@action
def approve_entries(store, actor, ids):
    """Approve the chosen entries of the store that wait for approval. Returns those approved.

    Side effects: each entry approved (by and when), one AuditEntry "revival.entry_approved" each."""
    _manager_of(store, actor)
    rows = _entries(store, ids, Entry.PENDING)
    for entry in rows:
        before = transition(entry, "approve", actor, actor)
        audit("revival.entry_approved", entry, actor, before=before, amount=str(entry.amount))
    return rows


def paid_moment(paid_on):
    """When a payment made on `paid_on` is recorded: now if today, else noon of that local day."""
    if paid_on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(paid_on, dt.time(12)))


@action
def mark_paid(store, actor, ids, paid_on):
    """Mark the chosen approved entries of the store paid on `paid_on` (a local date, not in the
    future). Returns those marked.

    Side effects: each entry paid, one AuditEntry "revival.entry_paid" each."""
    _manager_of(store, actor)
    if paid_on > timezone.localdate():
        raise ActionRefused(_("A payment cannot be dated in the future."))
    rows = _entries(store, ids, Entry.APPROVED)
    when = paid_moment(paid_on)
    for entry in rows:
        before = transition(entry, "pay", actor, when)
        audit(
            "revival.entry_paid",
            entry,
            actor,
            before=before,
            amount=str(entry.amount),
            paid_on=paid_on.isoformat(),
        )
    return rows


@action
def add_correction(store, actor, staff, campaign, amount, reason):
    """A correction of someone's incentives: a new pending entry of `amount` (plus or minus).

    Side effects: the entry, one AuditEntry "revival.correction_recorded". Returns the entry."""
    _manager_of(store, actor)
    if campaign.store_id != store.pk or campaign.state == RevivalCampaign.State.DRAFT:
        raise ActionRefused(_("Choose one of this store's campaigns."))
    if not isinstance(staff, Staff) or staff.store_id != store.pk:
        raise ActionRefused(_("Choose a staff member of this store."))
    if not amount or abs(amount) > MAX_CORRECTION:
        raise ActionRefused(_("A correction is an amount other than zero, up to 1,000,000."))
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Say why the correction is made."))
    lock_staff([staff.pk])
    entry = IncentiveEntry.objects.create(
        store=store,
        campaign=campaign,
        staff=staff,
        kind=IncentiveEntry.Kind.CORRECTION,
        amount=amount,
        reason=reason[:200],
        created_by=actor,
    )
    audit("revival.correction_recorded", entry, actor, amount=str(amount), reason=entry.reason)
    return entry
