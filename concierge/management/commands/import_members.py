"""python manage.py import_members FILE.csv [--store CODE]: create or update members from CSV."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from concierge import imports
from concierge.models import Store

# Above this size the import takes long enough that a progress bar helps.
PROGRESS_THRESHOLD_BYTES = 1 << 20


def resolve_store(code):
    """The store named by --store, or the only store when there is one."""
    codes = list(Store.objects.order_by("code").values_list("code", flat=True))
    if code:
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(
                _("Unknown store code “%(code)s”. Valid codes: %(codes)s.")
                % {"code": code, "codes": ", ".join(codes) or _("none: there is no store yet")}
            )
        return store
    if not codes:
        raise CommandError(_("There is no store yet: create one first."))
    if len(codes) > 1:
        raise CommandError(
            _("There are %(count)s stores: choose one with --store CODE. Valid codes: %(codes)s.")
            % {"count": len(codes), "codes": ", ".join(codes)}
        )
    return Store.objects.get(code=codes[0])


class ImportCommand(BaseCommand):
    kind = imports.MEMBERS

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (with or without BOM) or GB18030, header on line 1")
        parser.add_argument(
            "--store", metavar="CODE", help="store code; needed when there is more than one store"
        )
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress", action="store_true", help="show a progress bar (shown anyway for files over 1 MB)"
        )
        progress.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args, **options):
        store = resolve_store(options["store"])
        path = options["file"]
        try:
            binary = open(path, "rb")  # noqa: SIM115 (closed in the finally below)
        except OSError as exc:
            raise CommandError(
                _("Cannot open %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        bar = None
        try:
            size = os.fstat(binary.fileno()).st_size
            show_bar = not options["no_progress"] and (options["progress"] or size > PROGRESS_THRESHOLD_BYTES)
            if show_bar:
                bar = tqdm(
                    total=size,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=os.path.basename(path),
                    file=self.stderr._out,
                    dynamic_ncols=True,
                )

            def on_progress(position):
                bar.update(position - bar.n)

            def on_bad_row(line, message):
                text = imports.bad_row_line(line, message)
                if bar is None:
                    self.stdout.write(text)
                else:
                    with bar.external_write_mode():
                        self.stdout.write(text)

            try:
                result = imports.run_import(
                    self.kind,
                    binary,
                    store=store,
                    file_name=os.path.basename(path),
                    source_label="command",
                    on_bad_row=on_bad_row,
                    on_progress=on_progress if bar is not None else None,
                )
            except imports.ImportFileError as exc:
                raise CommandError(f"{path}: {exc.message}") from exc
        finally:
            if bar is not None:
                bar.close()
            binary.close()

        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        summary = f"{store.code} {self.kind}: {result.summary()}"
        if result.bad:
            self.stdout.write(self.style.ERROR(summary))
            raise CommandError(
                ngettext(
                    "%(count)s bad row was not imported (listed above); the good rows were.",
                    "%(count)s bad rows were not imported (listed above); the good rows were.",
                    result.bad,
                )
                % {"count": result.bad}
            )
        self.stdout.write(self.style.SUCCESS(summary))


class Command(ImportCommand):
    help = (
        "Create or update members from a CSV file. Columns: member_no, name (required); phone, gender, "
        "birthday, anniversary, join_date, tags, preferences, sizes, notes."
        " Re-running a file changes nothing."
    )
    kind = imports.MEMBERS
