"""Statements written in SQL, with the values the ORM would give back, prepared on PostgreSQL.

For the few statements a till's purchase makes on every request (docs/benchmarks.md, "Purchase
API"): building a query with the ORM cost 0.2 to 0.7 ms of CPU each time, several times what
running it cost, for statements whose shape never changes. Values come back converted as the ORM
converts them (SQLite's dates, decimals and booleans), and model rows are made with `from_db`, as
the ORM makes them. Anything not on that path uses the ORM.

On PostgreSQL these statements go through `cursor()`, which binds their parameters on the server:
a connection of Django's pool (DB_POOL_SIZE, docs/deployment.md) then prepares each statement at
its second use and afterwards neither parses nor plans it again (planning the tier refresh alone
cost more of PostgreSQL's CPU than running it), nor does the worker write the parameters into the
text. Only pooled connections prepare: they belong to one worker and last; without the pool (a
connection a request, or CONN_MAX_AGE, perhaps behind an outside pooler such as PgBouncer, which
may hand the statement to another server session) nothing is prepared, as Django never prepares.
Django's own queries are untouched: they still bind on the client and are never prepared (this
module sets psycopg's prepare_threshold only while one of its cursors is open). A list of values
goes in as one array (`any_of`), so that a statement's text is the same whatever their number.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections

# A statement is prepared at its second use on a connection: once only, it is not worth it.
PREPARE_AFTER = 1


def placeholders(values):
    """`%s, %s, ...`: one per value, for an IN (...) list."""
    return ", ".join(["%s"] * len(values))


def any_of(column, values):
    """(sql, params): `column` is one of `values`. One value: `column = %s` (a till's purchase:
    PostgreSQL then keeps one generic plan for the statement, where with an array of unknown
    length it planned it again every time). More: on PostgreSQL `column = ANY(%s)` with the values
    as one array parameter, elsewhere `column IN (%s, ...)`."""
    values = list(values)
    if len(values) == 1:
        return f"{column} = %s", values
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({placeholders(values)})", values


def cursor():
    """A cursor of Django's (wrapped, logged and timed as any other) for the statements written
    out here; on PostgreSQL one that binds on the server and prepares what it runs twice."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute of `connection` looks it up again
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    db.validate_thread_sharing()
    preparing, logging = _preparing_classes()
    raw = preparing(db.connection, prepare=_prepares(db))
    return logging(raw, db) if db.queries_logged else db.make_cursor(raw)


def _prepares(db):
    """Whether this connection prepares what it runs twice: one of Django's pool."""
    return db.pool is not None


@cache
def _preparing_classes():
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class LoggingCursor(CursorDebugWrapper):
        """Django's query log (DEBUG, tests that count queries) with each statement and its values:
        psycopg keeps no text of a prepared statement's execution, which Django's log would read."""

        def execute(self, sql, params=None):
            logged = self.db.ops.compose_sql(sql, params) if params else sql
            with self.debug_sql(logged, params):
                return CursorWrapper.execute(self, sql, params)

    class PreparingCursor(ServerBindingCursor):
        """psycopg prepares statements only while a connection's prepare_threshold is set: it is,
        for as long as this cursor is open (a connection serves one thread at a time)."""

        def __init__(self, raw_connection, *, prepare):
            super().__init__(raw_connection)
            self._threshold = raw_connection.prepare_threshold
            if prepare and self._threshold is None:
                raw_connection.prepare_threshold = PREPARE_AFTER

        def close(self):
            if not self.closed:
                self.connection.prepare_threshold = self._threshold
            super().close()

    return PreparingCursor, LoggingCursor


def columns(model, alias):
    """The model's concrete columns, as `alias.column, ...` in `concrete_fields` order."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def select(sql, params, fields):
    """The rows of `sql` (lists), each column converted as the ORM converts `fields` (one model
    field per column, in order)."""
    with cursor() as open_cursor:
        open_cursor.execute(sql, params)
        rows = open_cursor.fetchall()
    db = connections[DEFAULT_DB_ALIAS]
    converters = _converters(db.vendor, tuple(fields))
    if not converters:
        return [list(row) for row in rows]
    converted = []
    for row in rows:
        row = list(row)
        for position, functions, column in converters:
            value = row[position]
            for function in functions:
                value = function(value, column, db)
            row[position] = value
        converted.append(row)
    return converted


def insert(obj):
    """Save a new model row (an unsaved instance) with one INSERT written out, as Model.save()
    saves it (field defaults and pre_save included, its primary key set), without building the
    ORM's INSERT; but sending no pre_save or post_save signal: for rows no one listens to (audit
    entries). Where an INSERT cannot return rows (SQLite before 3.35), Model.save() itself."""
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_rows_from_bulk_insert:
        obj.save()
        return obj
    meta = obj._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = db.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
        f" VALUES ({placeholders(fields)}) RETURNING {quote(meta.pk.column)}"
    )
    params = [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
    ((obj.pk,),) = select(sql, params, [meta.pk])
    obj._state.adding = False
    obj._state.db = db.alias
    return obj


def insert_skipping(objs, unique, returning):
    """INSERT new rows of one model (unsaved instances), skipping those that collide with a stored
    row on the fields named in `unique` (ON CONFLICT ... DO NOTHING). Returns the values of the
    fields named in `returning` of the rows inserted, converted as `select` converts them.

    Only where the database returns rows from an INSERT (features.can_return_rows_from_bulk_insert:
    PostgreSQL, SQLite 3.35+). A row being written by a concurrent transaction is waited for, then
    skipped if it was committed. Values are prepared for the database by each field, as the ORM's
    own INSERT prepares them.
    """
    if not objs:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    meta = objs[0]._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = db.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    )
    target = ", ".join(quote(meta.get_field(name).column) for name in unique)
    back = [meta.get_field(name) for name in returning]
    tail = f" ON CONFLICT ({target}) DO NOTHING RETURNING {', '.join(quote(field.column) for field in back)}"
    row = f"({placeholders(fields)})"
    size = max(1, db.ops.bulk_batch_size(fields, objs))
    inserted = []
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        params = [field.get_db_prep_save(field.pre_save(obj, True), db) for obj in chunk for field in fields]
        inserted.extend(select(head + ", ".join([row] * len(chunk)) + tail, params, back))
    return inserted


def instance(model, values):
    """A model row from the values of its concrete fields (in `concrete_fields` order), or None
    when its primary key is NULL (the missing side of a LEFT JOIN)."""
    if values[0] is None:
        return None
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), values)


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
