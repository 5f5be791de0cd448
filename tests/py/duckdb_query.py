"""Runs SQL queries in DuckDB and prints their results as JSON, for tests/parquet_outputs.rs:
DuckDB (PyPI `duckdb`, pinned in requirements.txt) is a Parquet reader independent of the
polars writer headroom uses.

Usage: python duckdb_query.py SQL...  (queries read files directly: `FROM 'x.parquet'`)
Prints one JSON list per query, of rows (lists of values): numbers, strings, booleans and
nulls as JSON has them (floats as their shortest round-trip text, so a Rust f64 reads back
bit for bit); any other value (a timestamp) as DuckDB's text of it, in UTC.
"""

import json
import sys

import duckdb


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def main(queries):
    con = duckdb.connect()
    # Timestamps with a time zone print in UTC, whatever the machine's zone.
    con.execute("SET TimeZone = 'UTC'")
    results = [
        [[plain(v) for v in row] for row in con.execute(query).fetchall()]
        for query in queries
    ]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
