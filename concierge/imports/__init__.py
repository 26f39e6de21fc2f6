"""Member and purchase imports from CSV files, shared by the import commands and the upload page.

reading.py turns the file into numbered rows, parsing.py a row into values (or the reason it
cannot be imported), writing.py batches of values into the database, and run.py ties them into
one all-or-nothing import with its report.
"""

from concierge.imports.formats import COLUMNS, KIND_CHOICES, MEMBERS, PURCHASES, Column
from concierge.imports.parsing import RowError
from concierge.imports.reading import ImportFileError, check_file
from concierge.imports.run import ImportResult, bad_row_line, import_members, import_purchases, run_import

__all__ = [
    "COLUMNS",
    "KIND_CHOICES",
    "MEMBERS",
    "PURCHASES",
    "Column",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "bad_row_line",
    "check_file",
    "import_members",
    "import_purchases",
    "run_import",
]
