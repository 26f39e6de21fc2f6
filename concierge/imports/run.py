"""Running an import: read, parse and write a whole file as one unit of work.

Rows are checked one by one; a row that cannot be imported, for whatever reason, is a bad row
reported by its physical line number (the header is line 1), and the other rows go on. The good
rows are written in batches inside ONE transaction, together with the refresh of the members
they touch and the audit entry: if anything fails while writing, nothing of the file is applied
and ImportFileError says so. Imports are idempotent: members are upserted by member number and
only touched when a value differs; purchases are keyed by receipt, and a receipt already stored
with the same data is left alone.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge import extensions
from concierge.imports import parsing, writing
from concierge.imports.formats import MEMBERS, PURCHASES
from concierge.imports.parsing import RowError
from concierge.imports.reading import ImportFileError, open_source, records
from concierge.models import AuditEntry, Member, Purchase

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
# The page lists this many bad rows; the command prints them all as it goes.
MAX_KEPT_BAD_ROWS = 1000


@dataclass
class ImportResult:
    kind: str
    file_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    # (line, message), in line order; at most MAX_KEPT_BAD_ROWS of them.
    bad_rows: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def rows(self):
        return self.created + self.updated + self.unchanged + self.bad

    @property
    def bad_rows_not_listed(self):
        return self.bad - len(self.bad_rows)

    def counts(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": self.bad,
        }

    def summary(self):
        return _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(bad)s bad."
        ) % {
            "rows": self.rows,
            **self.counts(),
        }


def bad_row_line(line, message):
    return _("line %(line)s: %(message)s") % {"line": line, "message": message}


class _Report:
    """Collects a batch's bad rows and hands them on in line order once the batch is done."""

    def __init__(self, result, on_bad_row):
        self.result = result
        self.on_bad_row = on_bad_row
        self.pending = []
        self.logged = False

    def bad(self, line, message):
        self.pending.append((line, message))

    def unexpected(self, line, exc):
        """A row the parser choked on: a bad row for the user, a traceback (once) for the log."""
        if not self.logged:
            logger.exception("Import: unexpected error on line %s", line, exc_info=exc)
            self.logged = True
        self.bad(
            line,
            _("this row could not be read (unexpected %(error)s); check its values")
            % {"error": type(exc).__name__},
        )

    def flush(self):
        self.pending.sort(key=lambda item: item[0])
        for line, message in self.pending:
            self.result.bad += 1
            if len(self.result.bad_rows) < MAX_KEPT_BAD_ROWS:
                self.result.bad_rows.append((line, message))
            if self.on_bad_row is not None:
                self.on_bad_row(line, message)
        self.pending = []


class _Batch:
    """The rows waiting to be written and the lines they came from, for the error message."""

    def __init__(self, rows):
        self.rows = rows
        self.first_line = self.last_line = None

    def add_line(self, line):
        if self.first_line is None:
            self.first_line = line
        self.last_line = line

    def __len__(self):
        return len(self.rows)


class _WriteFailed(Exception):
    def __init__(self, batch):
        super().__init__()
        self.batch = batch


def _check_actor(actor, store):
    if actor is None:
        return
    if not actor.has_perm("concierge.import_data") or (actor.store_id != store.pk and not actor.is_superuser):
        raise PermissionDenied


def run_import(kind, binary, **kwargs):
    importer = {MEMBERS: import_members, PURCHASES: import_purchases}[kind]
    return importer(binary, **kwargs)


def _run(kind, binary, *, store, actor, file_name, source_label, on_bad_row, on_progress, process):
    _check_actor(actor, store)
    source = open_source(binary, kind)
    result = ImportResult(kind=kind, file_name=file_name, warnings=list(source.warnings))
    report = _Report(result, on_bad_row)

    def progress():
        if on_progress is not None:
            on_progress(binary.tell())

    try:
        with transaction.atomic():
            touched = process(source, result, report, progress)
            if touched:
                # Deferred: refresh imports this package for the members' figures.
                from concierge.refresh import refresh_member_figures

                refresh_member_figures(sorted(touched))
            AuditEntry.record(
                f"import.{kind}",
                actor=actor,
                store=store,
                data={"file": file_name, "source": source_label, **result.counts()},
            )
    except _WriteFailed as exc:
        logger.exception("Import of %s into %s failed while writing", file_name, store.code)
        raise ImportFileError(
            _(
                "Nothing of the file was imported: writing lines %(first)s to %(last)s failed "
                "(%(error)s). Try again; if it fails again, tell an administrator."
            )
            % {
                "first": exc.batch.first_line,
                "last": exc.batch.last_line,
                "error": type(exc.__cause__).__name__,
            }
        ) from exc
    except Exception as exc:
        logger.exception("Import of %s into %s failed", file_name, store.code)
        raise ImportFileError(
            _(
                "Nothing of the file was imported: the import stopped on an unexpected error "
                "(%(error)s). Try again; if it fails again, tell an administrator."
            )
            % {"error": type(exc).__name__}
        ) from exc
    finally:
        source.close()
    progress()
    return result


def _write(batch, write):
    try:
        return writing.with_retry(write)
    except Exception as exc:
        raise _WriteFailed(batch) from exc


def import_members(
    binary,
    *,
    store,
    actor=None,
    file_name="",
    source_label="page",
    on_bad_row=None,
    on_progress=None,
):
    """Create or update the store's members from a CSV file (a binary file object).

    Side effects, all in one transaction: members created or updated (only where a value differs;
    blank cells never erase), interest tags created and linked, the figures of members whose join
    date was set refreshed, one AuditEntry "import.members". Raises ImportFileError when the file
    cannot be read at all or cannot be written (then nothing is written).
    """

    def process(source, result, report, progress):
        today = timezone.localdate()
        touched = set()
        # member_no -> (line, values): a member twice in one file must say the same thing twice.
        seen = {}
        batch = _Batch([])

        def flush():
            if batch.rows:
                created, updated, unchanged, joined = _write(
                    batch, lambda: writing.write_members(store, batch.rows)
                )
                result.created += created
                result.updated += updated
                result.unchanged += unchanged
                touched.update(joined)
            report.flush()

        for line, cells, problem in records(source):
            if problem is not None:
                report.bad(line, problem)
                continue
            try:
                row = parsing.row_values(cells, source.index, source.width)
                member_no, values, tags = parsing.parse_member_row(row, today)
                fingerprint = (tuple(sorted(values.items())), tuple(sorted(tags)))
            except RowError as exc:
                report.bad(line, str(exc))
                continue
            except Exception as exc:
                report.unexpected(line, exc)
                continue
            if member_no in seen:
                first_line, first_print = seen[member_no]
                if first_print == fingerprint:
                    result.unchanged += 1
                else:
                    report.bad(
                        line,
                        _("member %(no)s is already on line %(first)s of this file with other values")
                        % {"no": member_no, "first": first_line},
                    )
                continue
            seen[member_no] = (line, fingerprint)
            batch.rows.append((line, member_no, values, tags))
            batch.add_line(line)
            if len(batch) >= BATCH_SIZE:
                flush()
                batch = _Batch([])
                progress()
        flush()
        return touched

    return _run(
        MEMBERS,
        binary,
        store=store,
        actor=actor,
        file_name=file_name,
        source_label=source_label,
        on_bad_row=on_bad_row,
        on_progress=on_progress,
        process=process,
    )


def import_purchases(
    binary,
    *,
    store,
    actor=None,
    file_name="",
    source_label="page",
    on_bad_row=None,
    on_progress=None,
):
    """Record the store's purchases from a CSV file (a binary file object).

    Side effects, all in one transaction: purchases created (a receipt already stored with the
    same data is left alone, or gets the row's items; with other data it is a bad row), the
    figures of the members with new purchases refreshed, one AuditEntry "import.purchases".
    Unknown member numbers are bad rows. Raises ImportFileError when the file cannot be read at
    all or cannot be written (then nothing is written).
    """

    def process(source, result, report, progress):
        touched = set()
        member_ids = dict(
            Member.objects.filter(store=store).values_list("member_no", "id").iterator(chunk_size=20000)
        )
        member_numbers = {}
        tz = timezone.get_default_timezone()
        latest = timezone.now() + parsing.FUTURE_TOLERANCE
        # receipt -> (line, member_id, moment, amount, items) for the rows of the open batch
        batch = _Batch({})

        def flush():
            if batch.rows:
                created, updated, unchanged, conflicts, new_ids = _write(
                    batch, lambda: writing.write_purchases(store, batch.rows)
                )
                result.created += created
                result.updated += updated
                result.unchanged += unchanged
                touched.update(new_ids)
                if new_ids:
                    # What else new purchases set off (a revival's credit), in this transaction.
                    extensions.purchases_recorded(
                        store,
                        Purchase.objects.filter(
                            store=store, member_id__in=new_ids, receipt_ref__in=list(batch.rows)
                        ).values("pk"),
                    )
                if conflicts and not member_numbers:
                    member_numbers.update((pk, no) for no, pk in member_ids.items())
                for line, receipt, stored in conflicts:
                    report.bad(line, _conflict_message(receipt, stored, batch.rows[receipt], member_numbers))
            report.flush()

        for line, cells, problem in records(source):
            if problem is not None:
                report.bad(line, problem)
                continue
            try:
                values = parsing.row_values(cells, source.index, source.width)
                row = parsing.parse_purchase_row(values, tz, latest)
            except RowError as exc:
                report.bad(line, str(exc))
                continue
            except Exception as exc:
                report.unexpected(line, exc)
                continue
            member_id = member_ids.get(row.member_no)
            if member_id is None:
                report.bad(
                    line,
                    _("member %(no)s is not a member of this store: import the member first")
                    % {"no": row.member_no},
                )
                continue
            first = batch.rows.get(row.receipt)
            if first is not None:
                if first[1:4] != (member_id, row.moment, row.amount):
                    report.bad(
                        line,
                        _(
                            "receipt %(receipt)s is already on line %(first)s of this file "
                            "for another member, amount or time"
                        )
                        % {"receipt": row.receipt, "first": first[0]},
                    )
                elif row.items and first[4] and row.items != first[4]:
                    report.bad(
                        line,
                        _("receipt %(receipt)s is already on line %(first)s of this file with other items")
                        % {"receipt": row.receipt, "first": first[0]},
                    )
                else:
                    if row.items and not first[4]:
                        batch.rows[row.receipt] = (*first[:4], row.items)
                    result.unchanged += 1
                continue
            batch.rows[row.receipt] = (line, member_id, row.moment, row.amount, row.items)
            batch.add_line(line)
            if len(batch) >= BATCH_SIZE:
                flush()
                batch = _Batch({})
                progress()
        flush()
        return touched

    return _run(
        PURCHASES,
        binary,
        store=store,
        actor=actor,
        file_name=file_name,
        source_label=source_label,
        on_bad_row=on_bad_row,
        on_progress=on_progress,
        process=process,
    )


def _conflict_message(receipt, stored, row, member_numbers):
    stored_member, stored_moment, stored_amount = stored
    _line, member_id, moment, amount, _items = row
    differences = []
    if stored_member != member_id:
        differences.append(_("member %(no)s") % {"no": member_numbers.get(stored_member, "?")})
    if stored_amount != amount:
        differences.append(_("amount %(amount)s") % {"amount": stored_amount})
    if stored_moment != moment:
        differences.append(
            _("time %(time)s") % {"time": timezone.localtime(stored_moment).strftime("%Y-%m-%d %H:%M:%S")}
        )
    return _("receipt %(receipt)s is already recorded for another member, amount or time (%(stored)s)") % {
        "receipt": receipt,
        "stored": ", ".join(differences),
    }
