"""A median aggregate for the figures pages (complaints, reception), on both databases.

PostgreSQL has it built in as an ordered-set aggregate (`percentile_cont(0.5) WITHIN GROUP`);
SQLite has none, so a small Python aggregate is registered on each of its connections. The
figures then stay one grouped query per table on either database, instead of fetching every
row's minutes to sort them in Python.
"""

import statistics

from django.db.models import Aggregate, FloatField


class Median(Aggregate):
    function = "MEDIAN"  # SQLite: the function registered below
    name = "Median"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="PERCENTILE_CONT",
            template="%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )


class _SqliteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return float(statistics.median(self.values)) if self.values else None


def register_sqlite_median(sender, connection, **kwargs):
    """connection_created receiver: gives every new SQLite connection MEDIAN(x)."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("MEDIAN", 1, _SqliteMedian)
