"""The warehouse connection (SQLAlchemy URL: SQLite by default, MySQL in production)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import sqlalchemy as sa
from pydantic import PrivateAttr

from sales_assets import warehouse_schema as ws

INSERT_BATCH_ROWS = 10_000


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


def _arrow_type(column: sa.Column) -> pa.DataType:
    kind = column.type
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return pa.decimal128(kind.precision or 38, kind.scale or 0)
    if isinstance(kind, sa.Integer):
        return pa.int32()
    if isinstance(kind, sa.Date):
        return pa.date32()
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    return pa.string()


def _to_decimal(value: Any, scale: int) -> Any:
    if value is None or isinstance(value, decimal.Decimal):
        return value
    return decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-scale))


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
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            self._engine = sa.create_engine(url, pool_pre_ping=True)
        return self._engine

    def _fail(self, action: str, error: Exception) -> WarehouseError:
        url = _parsed_url(self.url)
        original = getattr(error, "orig", error)
        return WarehouseError(
            f"Warehouse {action} failed on host {url.host or 'local'}, database "
            f"{url.database!r} ({describe_url(self.url)}): {type(original).__name__}: "
            f"{original}. Check SALES_WAREHOUSE_URL and that the server is up."
        )

    def ensure_tables(self, tables: Iterable[sa.Table]) -> None:
        try:
            ws.metadata.create_all(self.engine(), tables=list(tables), checkfirst=True)
        except sa.exc.SQLAlchemyError as error:
            raise self._fail("table creation", error) from None

    # --- writes -----------------------------------------------------------------------
    def replace_months(
        self,
        table: sa.Table,
        sales_months: Sequence[str],
        rows: Iterable[dict[str, Any]],
        *,
        delete_first: bool = True,
    ) -> int:
        """In one transaction: delete the months' rows (unless appending), insert ``rows``."""
        self.ensure_tables([table])
        written = 0
        try:
            with self.engine().begin() as connection:
                if delete_first and sales_months:
                    connection.execute(
                        table.delete().where(table.c.sales_month.in_(list(sales_months)))
                    )
                for batch in _batches(rows, INSERT_BATCH_ROWS):
                    connection.execute(table.insert(), batch)
                    written += len(batch)
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(f"write of {table.name}", error) from None
        return written

    # --- reads ------------------------------------------------------------------------
    def read_rows(
        self, table: sa.Table, sales_months: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a (small) table, optionally for some months only."""
        query = sa.select(table)
        if sales_months is not None:
            query = query.where(table.c.sales_month.in_(list(sales_months)))
        try:
            with self.engine().connect() as connection:
                return [dict(row._mapping) for row in connection.execute(query)]
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(f"read of {table.name}", error) from None

    def read_arrow(self, table: sa.Table, columns: Sequence[str] | None = None) -> pa.Table:
        """A table (or some of its columns) as Arrow columns: one query, fetched in bulk and
        transposed in C, for dimensions of millions of rows."""
        selected = [table.c[name] for name in columns] if columns else list(table.columns)
        try:
            with self.engine().connect() as connection:
                rows = connection.execute(sa.select(*selected)).fetchall()
        except sa.exc.SQLAlchemyError as error:
            raise self._fail(f"read of {table.name}", error) from None
        by_column = list(zip(*rows, strict=True)) if rows else [()] * len(selected)
        arrays = []
        for column, values in zip(selected, by_column, strict=True):
            arrow_type = _arrow_type(column)
            if pa.types.is_decimal(arrow_type):
                values = [_to_decimal(v, arrow_type.scale) for v in values]
            elif pa.types.is_date32(arrow_type):
                values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
            arrays.append(pa.array(values, type=arrow_type))
        return pa.Table.from_arrays(arrays, names=[c.name for c in selected])

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.dispose()


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
