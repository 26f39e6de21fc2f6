"""CSV downloads for spreadsheets: streamed, UTF-8 with a byte-order mark, formulas neutralised.

Excel in mainland China opens a CSV as GBK unless it starts with a byte-order mark, and turns a cell
that starts with `=`, `+`, `-` or `@` into a formula (a customer who typed `=HYPERLINK(...)` into
a complaint would run it on the manager's desk). Such cells get a leading single quote, which
Excel and WPS show as text; a tab or carriage return at the start is treated the same way, since
some spreadsheets drop it and read the formula after it.
"""

import csv
import itertools
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """The cell as text, with a quote in front when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """What csv.writer writes to: hands back each line instead of keeping it."""

    def write(self, text):
        return text


def csv_lines(header, rows, *, keep_amounts=False):
    """The file's text, a line at a time: the byte-order mark, the header, then each row.

    With `keep_amounts`, Decimal cells stay numbers a spreadsheet can sum (a claw-back's -200.00;
    a Decimal is never a formula); every other cell is neutralised."""

    def cell(value):
        return str(value) if keep_amounts and isinstance(value, Decimal) else neutralised(value)

    writer = csv.writer(_Line())
    yield BOM + writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


class StreamingCsvResponse(StreamingHttpResponse):
    """Streams under ASGI (daphne) as well as under WSGI.

    Given a synchronous iterator, Django's own response reads it whole into a list before sending
    it under ASGI. This one reads it a chunk of lines at a time, in the request's own thread (where
    the rows' database cursor lives), and sends each chunk before reading the next.
    """

    chunk_lines = 500

    async def __aiter__(self):
        lines = iter(self.streaming_content)

        def next_chunk():
            return list(itertools.islice(lines, self.chunk_lines))

        take = sync_to_async(next_chunk, thread_sensitive=True)
        while chunk := await take():
            yield b"".join(chunk)


def csv_download(filename, header, rows):
    """A streamed CSV download: rows (any iterable) are read as the response is sent, so a big
    export never sits in memory whole."""
    response = StreamingCsvResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
