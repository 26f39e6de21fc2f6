"""Reading an import file: its encoding, its header, and its rows with their physical line numbers.

A broken row never hides the rows after it: when the CSV parser gives up on a row (a quote that
is never closed, or closed and followed by more text), the row is reported at the line where the
offending quote opened and reading starts again on the next physical line.
"""

import codecs
import csv
import io
import re
from collections import deque
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concierge.imports.formats import COLUMNS

# How much of the file is looked at to tell an empty file or a UTF-16 one.
HEAD_BYTES = 8192
QUOTE = '"'


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing was written)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _decodes(binary, encoding):
    binary.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def not_csv_error(kind):
    names = ", ".join(column.name for column in COLUMNS[kind])
    return ImportFileError(
        _(
            "This is not a CSV file. Save the sheet as CSV (comma separated, UTF-8) with a header "
            "line naming the columns: %(columns)s."
        )
        % {"columns": names}
    )


def choose_encoding(binary, kind):
    """UTF-8 (with or without the BOM Excel writes), else GB18030 as Chinese Excel exports it, or
    UTF-16 when the file starts with its byte order mark.

    The whole file is checked before a row is written: a stray GB18030 byte deep in a UTF-8
    guess would otherwise stop the import halfway.
    """
    binary.seek(0)
    head = binary.read(HEAD_BYTES)
    if len(head) < HEAD_BYTES and not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab separated.
        if _decodes(binary, "utf-16"):
            return "utf-16"
        raise not_csv_error(kind)
    if _decodes(binary, "utf-8"):
        return "utf-8-sig"
    if _decodes(binary, "gb18030"):
        return "gb18030"
    raise not_csv_error(kind)


def _normalise_header(cell):
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


class Lines:
    """The physical lines of the text, numbered from 1, as csv.reader consumes them.

    It remembers the lines the record being read has used, so a record the parser rejects can be
    located and its later lines read again.
    """

    def __init__(self, text):
        self.text = text
        self.number = 0
        self.again = deque()
        self.used = []

    def __iter__(self):
        return self

    def __next__(self):
        if self.again:
            item = self.again.popleft()
        else:
            line = self.text.readline()
            if not line:
                raise StopIteration
            self.number += 1
            item = (self.number, line)
        self.used.append(item)
        return item[1]

    def read_again(self, items):
        self.again.extendleft(reversed(items))


@dataclass
class Source:
    """An open CSV file positioned after its header."""

    binary: object
    text: io.TextIOWrapper
    lines: Lines
    delimiter: str
    index: dict
    width: int
    warnings: list

    def close(self):
        # Detach so the caller's file object stays open: the page's upload belongs to Django.
        self.text.detach()


def open_source(binary, kind):
    """The file, checked and positioned after its header; raises ImportFileError."""
    columns = COLUMNS[kind]
    encoding = choose_encoding(binary, kind)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        lines = Lines(text)
        header_line = next((line for line in lines if line.strip()), "")
        if not header_line:
            raise ImportFileError(_("The file is empty."))
        if "\x00" in header_line:
            # Binary data, or UTF-16 without its byte order mark: either way not a sheet's header.
            raise not_csv_error(kind)
        # Excel in some locales separates with semicolons, and "Unicode text" exports use tabs.
        delimiter = max([",", ";", "\t"], key=header_line.count)
        try:
            header = next(csv.reader([header_line], delimiter=delimiter))
        except csv.Error as exc:
            raise not_csv_error(kind) from exc
        names = [_normalise_header(cell) for cell in header]
        known = {column.name for column in columns}
        if not known.intersection(names):
            raise not_csv_error(kind)
        index = {}
        warnings = []
        for position, name in enumerate(names):
            if not name:
                continue
            if name in index:
                raise ImportFileError(
                    _("The column “%(name)s” appears twice in the header.") % {"name": name}
                )
            index[name] = position
            if name not in known:
                warnings.append(
                    _("Column “%(name)s” is not one this import uses: it was ignored.")
                    % {"name": header[position]}
                )
        missing = [column.name for column in columns if column.required and column.name not in index]
        if missing:
            raise ImportFileError(
                ngettext(
                    "The header has no column “%(missing)s”, which is required. "
                    "Required columns: %(required)s.",
                    "The header lacks the required columns %(missing)s. Required columns: %(required)s.",
                    len(missing),
                )
                % {
                    "missing": ", ".join(missing),
                    "required": ", ".join(column.name for column in columns if column.required),
                }
            )
    except BaseException:
        text.detach()
        raise
    return Source(binary, text, lines, delimiter, index, len(header), warnings)


def check_file(kind, binary):
    """Check the encoding and header without writing; raise ImportFileError. Returns the warnings."""
    source = open_source(binary, kind)
    warnings = source.warnings
    source.close()
    binary.seek(0)
    return warnings


def records(source):
    """(line, cells, problem) for each non-blank row, line being the row's first physical line.

    problem is None for a row the CSV parser read, else the reason it could not (cells is None).
    A row may span lines inside quotes.
    """
    lines = source.lines
    # strict: a quote closed and followed by more text is an error, not silently glued on, so a
    # quote left open cannot swallow the following rows up to the next quote.
    reader = csv.reader(lines, delimiter=source.delimiter, strict=True)
    while True:
        lines.used = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            used = lines.used
            opened = _last_opened_quote(used, source.delimiter)
            if opened is None:
                # Without quotes the only complaint left is a cell past the parser's size limit.
                yield (
                    used[0][0],
                    None,
                    _("a cell of this row is longer than %(limit)s characters")
                    % {"limit": csv.field_size_limit()},
                )
                lines.read_again(used[1:])
            else:
                yield (
                    used[opened][0],
                    None,
                    _(
                        'a quote (") opened on this line is not closed where its cell ends, so the '
                        "row cannot be read; put a quote at the end of the cell or remove this one"
                    ),
                )
                lines.read_again(used[opened + 1 :])
            reader = csv.reader(lines, delimiter=source.delimiter, strict=True)
            continue
        if any(cell.strip() for cell in cells):
            yield lines.used[0][0], cells, None


def _last_opened_quote(used, delimiter):
    """Index in `used` of the line where the last quoted cell began, as the CSV parser saw it."""
    opened = None
    in_quotes = False
    at_start = True
    for index, (_number, text) in enumerate(used):
        position, length = 0, len(text)
        while position < length:
            char = text[position]
            if in_quotes:
                if char == QUOTE:
                    if text.startswith(QUOTE, position + 1):
                        position += 1
                    else:
                        in_quotes = False
                        at_start = False
            elif char == QUOTE and at_start:
                in_quotes = True
                opened = index
            else:
                at_start = char in (delimiter, "\r", "\n")
            position += 1
    return opened
