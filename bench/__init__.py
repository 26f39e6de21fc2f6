"""Scale data and benchmarks, run against a PostgreSQL database of their own.

Both `python -m bench.generate` and `python -m bench.run` point Django at BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/concierge_bench) whatever DATABASE_URL says, so the
working database and the test database are never filled or timed by mistake.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concierge_bench"
# Databases the application and its test suite use: the benchmark must never write to them.
PROTECTED_DATABASES = {"concierge", "test_concierge", "postgres", "template0", "template1"}


def bench_database_url():
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE_URL)
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, got {url!r}")
    name = parts.path.lstrip("/")
    if not name or name in PROTECTED_DATABASES:
        sys.exit(f"Refusing to use database {name!r} for benchmarks: give the benchmark its own database.")
    return url


def _maintenance_url(url):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def create_database(url, *, recreate=False):
    """Create the benchmark database if it is missing (or drop and create it again)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(*, production_like=True):
    """Configure Django for the benchmark database; call before importing models."""
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    if production_like:
        # Time what production runs: DEBUG off (no query log, hashed static names).
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
        os.environ.setdefault("STATIC_ROOT", "/tmp/concierge_bench_static")
    import django

    django.setup()
    return url


DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_doc_section(section, start_mark, end_mark, heading):
    """Put a benchmark's section (from `start_mark` to `end_mark`, both in it) in docs/benchmarks.md:
    where the one written before was, or at the end under `heading` the first time."""
    text = DOC.read_text(encoding="utf-8")
    if start_mark in text:
        pattern = re.escape(start_mark) + r".*?" + re.escape(end_mark)
        text = re.sub(pattern, lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + heading + section + "\n"
    DOC.write_text(text, encoding="utf-8")
