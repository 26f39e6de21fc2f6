"""Lookups written in SQL, with the values the ORM would give back.

For the few statements a till's purchase makes on every request (docs/benchmarks.md, "Purchase
API"): building a query with the ORM cost 0.2 to 0.7 ms of CPU each time, several times what
running it cost, for statements whose shape never changes. Values come back converted as the ORM
converts them (SQLite's dates, decimals and booleans), and model rows are made with `from_db`, as
the ORM makes them. Anything not on that path uses the ORM.
"""

from functools import cache

from django.db import connection


def placeholders(values):
    """`%s, %s, ...`: one per value, for an IN (...) list."""
    return ", ".join(["%s"] * len(values))


def columns(model, alias):
    """The model's concrete columns, as `alias.column, ...` in `concrete_fields` order."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def select(sql, params, fields):
    """The rows of `sql` (lists), each column converted as the ORM converts `fields` (one model
    field per column, in order)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection.vendor, tuple(fields))
    if not converters:
        return [list(row) for row in rows]
    converted = []
    for row in rows:
        row = list(row)
        for position, functions, column in converters:
            value = row[position]
            for function in functions:
                value = function(value, column, connection)
            row[position] = value
        converted.append(row)
    return converted


def instance(model, values):
    """A model row from the values of its concrete fields (in `concrete_fields` order), or None
    when its primary key is NULL (the missing side of a LEFT JOIN)."""
    if values[0] is None:
        return None
    return model.from_db(connection.alias, _attnames(model), values)


def model_fields(*models):
    """The concrete fields of these models, one after the other: the `fields` of `select` for a
    row that joins them (each model's `columns`, in the same order)."""
    return [field for model in models for field in model._meta.concrete_fields]


@cache
def _attnames(model):
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _converters(vendor, fields):
    """[(position, converter functions, column)] of the columns that need converting, as the SQL
    compiler lists them (SQLCompiler.get_converters)."""
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((position, functions, column))
    return found
