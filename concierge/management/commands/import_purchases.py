"""python manage.py import_purchases FILE.csv [--store CODE]: record purchases from CSV."""

from concierge import imports
from concierge.management.commands.import_members import ImportCommand


class Command(ImportCommand):
    help = (
        "Record purchases from a CSV file. Columns: member_no, purchased_at, amount (negative for returns), "
        "receipt_ref. A receipt already recorded with the same data is skipped,"
        " so re-running changes nothing."
    )
    kind = imports.PURCHASES
