"""The workflow kernel: the one path every change of state or data takes.

An action is a function per user intention, decorated with `@action`. Inside it:

1. lock the rows it decides on, in the global order below (`lock_stores`, `lock_members`,
   `lock_staff`, then `lock` for the workflow object itself);
2. check, change and save: `transition(obj, "name", actor, ...)` for a state machine (it checks
   `can_proceed` and `has_transition_perm`, which django-fsm never enforces by itself), or plain
   field changes for set-up data;
3. `audit("app.verb", obj, actor, before=...)`: one AuditEntry in the same transaction;
4. `alert(...)`: Alert rows now, the live push after commit (none if the action rolls back).

A refusal raises `ActionRefused(message)`; the transaction rolls back and nothing is written.

**The global lock order.** Two actions that lock the same rows in different orders can deadlock
(one holds the member and waits for the manager, the other holds the manager and waits for the
member). Every action therefore locks in one order:

    1. store-level rows (Store, TierProgram, Tier), by id
    2. members, by id
    3. staff, by id
    4. workflow objects (Assignment, CareTask, ...), by model, then id

Rows already held may be locked again at any time. Taking a new row that sorts before one already
held raises AssertionError under tests and DEBUG (a bug to fix), and is logged in production.

**Conflicts.** If the database still reports a deadlock or a serialization failure (another
process that does not follow the order, or SQLite's busy file), the outermost action is run once
more; if it fails again the user is asked to try again, never shown an error page.
"""

import functools
import logging
import threading
from enum import IntEnum

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin, can_proceed, has_transition_perm

from concierge.alerts import alert
from concierge.errors import ActionRefused
from concierge.models import AuditEntry, Member, Staff, Store

log = logging.getLogger(__name__)

__all__ = [
    "ActionRefused",
    "Level",
    "action",
    "alert",
    "already",
    "audit",
    "lock",
    "lock_members",
    "lock_staff",
    "lock_stores",
    "transition",
]

# SQLSTATEs of a deadlock, a serialization failure and a lock that could not be had (NOWAIT).
CONFLICT_SQLSTATES = {"40P01", "40001", "55P03"}


class Level(IntEnum):
    STORE = 1
    MEMBER = 2
    STAFF = 3
    OBJECT = 4


class _Tracker(threading.local):
    """What the running action holds, to check the lock order. One per thread (per connection)."""

    depth = 0
    high = None
    held = None


_tracker = _Tracker()


def _strict():
    return settings.DEBUG or getattr(settings, "TESTING", False)


def _note_locks(level, model, pks):
    if _tracker.depth == 0:
        return
    label = model._meta.label
    new = sorted((int(level), label, pk) for pk in pks if (label, pk) not in _tracker.held)
    if not new:
        return
    if _tracker.high is not None and new[0] < _tracker.high:
        problem = f"lock order: {new[0][1]} #{new[0][2]} after {_tracker.high[1]} #{_tracker.high[2]}"
        if _strict():
            raise AssertionError(problem)
        log.warning(problem)
    _tracker.high = max(new[-1], _tracker.high) if _tracker.high else new[-1]
    _tracker.held.update((label, pk) for _level, label, pk in new)


def _is_conflict(exc):
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def action(function):
    """Run an action in one transaction, with the lock-order check and one retry on a conflict.

    Actions may call each other: the inner one joins the outer transaction and its locks.
    """

    @functools.wraps(function)
    def run(*args, **kwargs):
        if _tracker.depth:
            _tracker.depth += 1
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            finally:
                _tracker.depth -= 1
        for attempt in (1, 2):
            _tracker.depth, _tracker.high, _tracker.held = 1, None, set()
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except OperationalError as exc:
                if not _is_conflict(exc):
                    raise
                log.info("%s met a concurrent change (attempt %s): %s", function.__name__, attempt, exc)
            finally:
                _tracker.depth, _tracker.high, _tracker.held = 0, None, None
        raise ActionRefused(
            _("Someone else was changing the same thing at this moment; nothing was saved. Please try again.")
        )

    return run


# ---- locks ---------------------------------------------------------------------------------------


def _lock_rows(model, level, pks, *, related=()):
    # FOR NO KEY UPDATE: actions change these rows but never their keys, so an import inserting
    # purchases (which takes KEY SHARE on their member) does not make the member's actions wait.
    pks = sorted({int(pk) for pk in pks})
    _note_locks(level, model, pks)
    rows = (
        model._default_manager.select_for_update(of=("self",), no_key=True).filter(pk__in=pks).order_by("pk")
    )
    if related:
        rows = rows.select_related(*related)
    return {row.pk: row for row in rows}


def lock_stores(pks):
    """Lock stores (level 1). Returns {pk: Store}; missing rows are simply absent."""
    return _lock_rows(Store, Level.STORE, pks)


def lock_members(pks, *, related=("tier",)):
    """Lock members by id (level 2). Returns {pk: Member}."""
    return _lock_rows(Member, Level.MEMBER, pks, related=related)


def lock_staff(pks):
    """Lock staff by id (level 3), e.g. VIP managers whose caseload is about to change."""
    return _lock_rows(Staff, Level.STAFF, pks)


def lock(target, *, related=(), level=Level.OBJECT, no_key=False):
    """Lock workflow objects (level 4): a fresh locked copy of one object, or a queryset's rows.

    Related rows named in `related` are read, not locked. An object deleted meanwhile is refused.
    `no_key`: FOR NO KEY UPDATE on PostgreSQL, for an action that changes the rows but never their
    key: it still excludes the other writers, yet lets a transaction insert rows referring to them
    (the foreign key check takes a key share lock, which FOR UPDATE would block).
    """
    if isinstance(target, QuerySet):
        rows = list(
            target.select_for_update(of=("self",), no_key=no_key).select_related(*related).order_by("pk")
        )
        _note_locks(level, target.model, [row.pk for row in rows])
        return rows
    model = type(target)
    _note_locks(level, model, [target.pk])
    try:
        return (
            model._default_manager.select_for_update(of=("self",), no_key=no_key)
            .select_related(*related)
            .get(pk=target.pk)
        )
    except model.DoesNotExist as exc:
        raise ActionRefused(_("This was removed meanwhile.")) from exc


# ---- transitions and the audit trail -------------------------------------------------------------


def state_field(obj):
    """The object's FSM field, or None for plain set-up data."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, FSMFieldMixin):
            return field
    return None


def state_of(obj):
    field = state_field(obj)
    return field.value_from_object(obj) if field else ""


def _when(moment):
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def already(obj):
    """Why a transition is no longer possible, built once for every app: the state, who, and when.

    "Already “Active”: 王丽 at 14:02." from the object's last audit entry with a person behind it.
    """
    field = state_field(obj)
    state = getattr(obj, f"get_{field.name}_display")() if field else ""
    last = (
        AuditEntry.objects.filter(
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            object_id=str(obj.pk),
        )
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if last is None or last.actor is None:
        return _("Already “%(state)s”.") % {"state": state}
    return _("Already “%(state)s”: %(actor)s at %(time)s.") % {
        "state": state,
        "actor": last.actor,
        "time": _when(last.at),
    }


def transition(obj, name, actor, *args, denied=None):
    """Check and run the transition `name` on a locked object, then save it. Returns the old state.

    Refuses with `already(obj)` when the state no longer allows it (someone was first), and with
    `denied` (or a plain "not yours") when the actor lacks the transition's permission. An actor
    of None is the system itself (tick), whose jobs are not a person's permission to check.
    """
    method = getattr(obj, name)
    if not can_proceed(method):
        raise ActionRefused(already(obj))
    if actor is not None and not has_transition_perm(method, actor):
        raise ActionRefused(denied or _("You may not do this."))
    before = state_of(obj)
    method(*args)
    obj.save()
    return before


def audit(code, obj, actor, *, before="", store=None, **data):
    """One AuditEntry for `obj` in the running transaction; the state after is read from obj."""
    return AuditEntry.record(
        code,
        obj,
        actor=actor,
        store=store,
        from_state=before,
        to_state=state_of(obj) if obj is not None else "",
        data=data,
    )


def audit_many(code, objects, actor, *, data_for):
    """One AuditEntry per object, written in one INSERT (a colleague's tasks moved at once).

    `data_for(obj)` gives each entry's data; the states are read from each object as it is.
    """
    from django.contrib.contenttypes.models import ContentType

    objects = list(objects)
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    who = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            action=code,
            actor=who,
            store_id=getattr(obj, "store_id", None),
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            from_state=state_of(obj),
            to_state=state_of(obj),
            data=data_for(obj),
        )
        for obj in objects
    )
