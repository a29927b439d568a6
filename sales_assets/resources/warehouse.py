"""The warehouse (SQLAlchemy URL: SQLite by default, MySQL in production).

The one component that writes to the warehouse: result months, the file audit and the
dimension tables all go through :meth:`Warehouse.write`, one transaction and one bulk
insert path; every failure is wrapped once, in :meth:`Warehouse._fail`, without the password.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import sqlalchemy as sa
from pydantic import PrivateAttr

from sales_assets import warehouse_schema as ws

INSERT_BATCH_ROWS = 10_000

Row = Mapping[str, Any]
Rows = Iterable[Row] | pa.Table  # rows, or the columns of an Arrow table


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message is safe to log (no password)."""


def _parsed_url(url: str) -> sa.URL:
    """The URL, refused when a password holding a raw "@" would spill into the host name."""
    parsed = sa.make_url(url)
    if parsed.host and "@" in parsed.host:
        raise sa.exc.ArgumentError("password not percent-encoded")
    return parsed


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return _parsed_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable SALES_WAREHOUSE_URL>"


def _column_batches(rows: Rows, names: Sequence[str], size: int) -> Iterator[list[list[Any]]]:
    """Batches of at most ``size`` rows, as one list of values per name."""
    if isinstance(rows, pa.Table):
        for batch in rows.to_batches(max_chunksize=size):
            yield [batch.column(name).to_pylist() for name in names]
        return
    batch: list[Row] = []
    for row in itertools.chain(rows, [None]):
        if row is not None:
            batch.append(row)
        if batch and (len(batch) == size or row is None):
            yield [[r.get(name) for r in batch] for name in names]
            batch = []


def _bulk_insert(connection: sa.Connection, table: sa.Table, rows: Rows) -> int:
    """Insert through the driver's ``executemany`` of tuples, in batches (PyMySQL sends
    each batch as multi-row INSERTs); the number of rows back.

    Values go through each column type's own bind processing, column by column: SQLAlchemy's
    per-row parameter building would cost several times more than the database itself.
    """
    dialect = connection.dialect
    names = [column.key for column in table.columns]
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    order = list(compiled.positiontup) if compiled.positional else names
    processors = {column.key: column.type.bind_processor(dialect) for column in table.columns}
    written = 0
    for values in _column_batches(rows, order, INSERT_BATCH_ROWS):
        columns = []
        for name, column in zip(order, values, strict=True):
            process = processors[name]
            columns.append([process(v) for v in column] if process else column)
        records = list(zip(*columns, strict=True))
        params = (
            records if compiled.positional else [dict(zip(order, r, strict=True)) for r in records]
        )
        connection.exec_driver_sql(compiled.string, params)
        written += len(records)
    return written


def _make_sqlite_folder(database: str | None) -> None:
    """Create the folder of a SQLite file, or say plainly why it cannot be."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a SQLite URI (uri=true) that SQLite resolves itself
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseError(
            f"Cannot create the folder {str(folder)!r} of the SQLite warehouse "
            f"({error.strerror or error}): set SALES_WAREHOUSE_URL to sqlite:///path/to.db "
            "in a folder you can write to."
        ) from None


class Warehouse(dg.ConfigurableResource):
    """Tables of the warehouse. ``url`` comes from ``SALES_WAREHOUSE_URL``; it may hold a
    password, so it is only ever shown through :func:`describe_url`."""

    url: str
    _engine: sa.Engine | None = PrivateAttr(default=None)

    # --- connection -------------------------------------------------------------------
    def engine(self) -> sa.Engine:
        if self._engine is None:
            try:
                url = _parsed_url(self.url)
            except sa.exc.ArgumentError:
                raise WarehouseError(
                    "SALES_WAREHOUSE_URL is not a valid URL: use sqlite:///path/to.db or "
                    "mysql+pymysql://user:password@host:3306/dbname, with special characters "
                    "of the password percent-encoded (@ as %40)."
                ) from None
            if url.get_backend_name() == "sqlite":
                _make_sqlite_folder(url.database)
            self._engine = sa.create_engine(url, pool_pre_ping=True)
        return self._engine

    def _fail(self, action: str, error: Exception) -> WarehouseError:
        """The one wrapper of a failed operation: what, where, and what to check."""
        url = _parsed_url(self.url)
        original = getattr(error, "orig", None) or error
        first_line = (str(original).splitlines() or [""])[0][:300]
        return WarehouseError(
            f"Warehouse {action} failed on host {url.host or 'local'}, database "
            f"{url.database!r} ({describe_url(self.url)}): {type(original).__name__}: "
            f"{first_line}. Check SALES_WAREHOUSE_URL and that the server is up."
        )

    @contextmanager
    def guarded(self, action: str) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(action, error) from None

    def require_existing(self) -> None:
        """For read-only commands: a SQLite warehouse file must already be there (connecting
        would create an empty one, and its folder). Servers are checked by connecting."""
        url = _parsed_url(self.url)
        database = url.database
        if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
            return
        if database.startswith("file:") or Path(database).is_file():
            return
        raise WarehouseError(
            f"No warehouse at {Path(database).resolve()} ({describe_url(self.url)}; a relative "
            "path is from the current folder): run this from the folder you ran the pipeline "
            "in, or set SALES_WAREHOUSE_URL to the warehouse, e.g. sqlite:////abs/path/to.db."
        )

    def database_name(self) -> str | None:
        """The database (MySQL) or file stem (SQLite), for table names shown to users."""
        database = _parsed_url(self.url).database
        return Path(database).stem if database and "/" in database else database

    def has_table(self, table: sa.Table) -> bool:
        with self.guarded(f"look-up of {table.name}"):
            return sa.inspect(self.engine()).has_table(table.name)

    def ensure_tables(self, tables: Iterable[sa.Table]) -> None:
        """Create missing tables, and add the nullable columns a table created by an earlier
        release lacks (``sales_file_audit.run_id``)."""
        tables = list(tables)
        with self.guarded("table creation"):
            ws.metadata.create_all(self.engine(), tables=tables, checkfirst=True)
            inspector = sa.inspect(self.engine())
            for table in tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present and column.nullable:
                        kind = column.type.compile(dialect=self.engine().dialect)
                        with self.engine().begin() as connection:
                            connection.exec_driver_sql(
                                f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"
                            )

    # --- writes -----------------------------------------------------------------------
    def write(
        self,
        replacements: Mapping[sa.Table, Rows],
        *,
        months: Sequence[str] | None = None,
        append: bool = False,
    ) -> dict[str, int]:
        """In one transaction, for each table: delete the given ``months`` (every row when
        ``months`` is None; nothing when appending), then bulk-insert its rows.
        Rows written per table back."""
        tables = list(replacements)
        self.ensure_tables(tables)  # DDL first: MySQL commits on DDL
        written: dict[str, int] = {}
        names = ", ".join(t.name for t in tables)
        with self.guarded(f"write of {names}"), self.engine().begin() as connection:
            for table in tables:
                if append:
                    continue
                delete = table.delete()
                if months is not None:
                    delete = delete.where(table.c.sales_month.in_(list(months)))
                connection.execute(delete)
            for table, rows in replacements.items():
                written[table.name] = _bulk_insert(connection, table, rows)
        return written

    def replace_months(self, table: sa.Table, months: Sequence[str], rows: Rows) -> int:
        """Replace the rows of ``months`` with ``rows`` in one transaction."""
        return self.write({table: rows}, months=list(months))[table.name]

    def append(self, table: sa.Table, rows: Rows) -> int:
        return self.write({table: rows}, append=True)[table.name]

    def replace_run_files(self, table: sa.Table, run_id: str, rows: Sequence[Row]) -> int:
        """In one transaction: delete this run's rows for the rows' (month, file), then insert
        the rows. A retried step leaves one row per file of the run; rows of files only an
        earlier attempt saw (it had quarantined them) stay."""
        self.ensure_tables([table])
        keys = sorted({(row["sales_month"], row["file"]) for row in rows})
        with self.guarded(f"write of {table.name}"), self.engine().begin() as connection:
            for start in range(0, len(keys), 500):  # bounded statements for many files
                connection.execute(
                    table.delete().where(
                        table.c.run_id == run_id,
                        sa.tuple_(table.c.sales_month, table.c.file).in_(keys[start : start + 500]),
                    )
                )
            return _bulk_insert(connection, table, rows)

    def replace_tables(self, rows_by_table: Mapping[sa.Table, Iterable[Row]]) -> dict[str, int]:
        """Replace whole tables (the dimensions) in one transaction."""
        return self.write(rows_by_table)

    # --- reads ------------------------------------------------------------------------
    def select(self, query: sa.Select, what: str) -> list[dict[str, Any]]:
        """Rows of a (small) query as dicts."""
        with self.guarded(f"read of {what}"), self.engine().connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def read_rows(
        self, table: sa.Table, sales_months: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a (small) table, optionally for some months only."""
        query = sa.select(table)
        if sales_months is not None:
            query = query.where(table.c.sales_month.in_(list(sales_months)))
        return self.select(query, table.name)

    def count_by_month(self, table: sa.Table, months: Sequence[str]) -> dict[str, int]:
        """Rows of each of ``months`` in a table with a ``sales_month`` column."""
        query = (
            sa.select(table.c.sales_month, sa.func.count().label("rows"))
            .where(table.c.sales_month.in_(list(months)))
            .group_by(table.c.sales_month)
        )
        counts = {row["sales_month"]: row["rows"] for row in self.select(query, table.name)}
        return {month: counts.get(month, 0) for month in months}

    def null_counts_by_month(
        self, table: sa.Table, columns: Sequence[str], months: Sequence[str] | None
    ) -> dict[str, dict[str, int]]:
        """NULLs of each column, per month (every stored month when ``months`` is None)."""
        query = sa.select(
            table.c.sales_month,
            *[
                sa.func.sum(sa.case((table.c[n].is_(None), 1), else_=0)).label(f"nulls_{n}")
                for n in columns
            ],
        ).group_by(table.c.sales_month)
        if months is not None:
            query = query.where(table.c.sales_month.in_(list(months)))
        return {
            row["sales_month"]: {n: int(row[f"nulls_{n}"]) for n in columns if row[f"nulls_{n}"]}
            for row in self.select(query, table.name)
        }

    def scalar(self, query: sa.Select, what: str) -> Any:
        with self.guarded(f"read of {what}"), self.engine().connect() as connection:
            return connection.execute(query).scalar_one()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.dispose()
