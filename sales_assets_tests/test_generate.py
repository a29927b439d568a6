"""The sample-data generator, the report and the CLI, without Spark.

Fault manifests are checked against a small independent reading of SPEC section 2 written
here, and against the project's own file parser.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_assets import generate as gen
from sales_assets import warehouse_schema as ws
from sales_assets.cli import main, parse_months
from sales_assets.config import Settings
from sales_assets.report import declining_customers, format_report, top_performers
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse, WarehouseError
from sales_assets.transforms import contract as c
from sales_assets.transforms.landing_parser import decide_files, inspect_file

MONTH = "2024-02"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def dims() -> gen.DimensionRows:
    return gen.generate_dimensions(
        customers=300, stores=4, sales_people_per_store=3, products=120, seed=7
    )


@pytest.fixture(scope="module")
def faulty(dims: gen.DimensionRows) -> tuple[dict[str, bytes], gen.MonthManifest]:
    return gen.generate_month_files(MONTH, 400, dims, seed=3, faults=True)


# --- an independent reading of the row rules (SPEC section 2) -----------------------------
_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL_LIMIT = {"price": Decimal("1e8"), "total_cost": Decimal("1e10")}  # (10,2), (12,2)


def _typed(column: str, raw: str) -> Any:
    """The value, or None when it is not in the accepted form or overflows its type."""
    if column in c.INT_COLUMNS:
        ok = _INT.fullmatch(raw) and -(2**31) <= int(raw) < 2**31
        return int(raw) if ok else None
    if column == "sales_date":
        try:
            return dt.date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
        except ValueError:
            return None
    if column in _DECIMAL_LIMIT:
        ok = _DECIMAL.fullmatch(raw) and abs(Decimal(raw)) < _DECIMAL_LIMIT[column]
        return Decimal(raw) if ok else None
    return raw


def _reason(raw: Mapping[str, str | None], month: str, known: dict[str, set]) -> str | None:
    for column in c.MANDATORY_COLUMNS:
        if raw[column] is None:
            return f"null_{column}"
    typed = {}
    for column in c.MANDATORY_COLUMNS:
        typed[column] = _typed(column, raw[column])
        if typed[column] is None:
            return f"invalid_{column}"
    if typed["sales_date"].strftime("%Y-%m") != month:
        return c.REASON_DATE_OUTSIDE_MONTH
    if typed["price"] < 0:
        return c.REASON_NEGATIVE_PRICE
    if typed["quantity"] <= 0:
        return c.REASON_NON_POSITIVE_QUANTITY
    if abs(typed["total_cost"] - typed["price"] * typed["quantity"]) > Decimal("0.01"):
        return c.REASON_TOTAL_COST_MISMATCH
    for column, reason in (
        ("customer_id", c.REASON_UNKNOWN_CUSTOMER),
        ("store_id", c.REASON_UNKNOWN_STORE),
        ("sales_person_id", c.REASON_UNKNOWN_SALES_PERSON),
        ("product_name", c.REASON_UNKNOWN_PRODUCT),
    ):
        if typed[column] not in known[column]:
            return reason
    return None


def _known(dims: gen.DimensionRows) -> dict[str, set]:
    return {
        "customer_id": {r["customer_id"] for r in dims["customer"]},
        "store_id": {r["id"] for r in dims["store"]},
        "sales_person_id": {r["id"] for r in dims["sales_team"]},
        "product_name": {r["name"] for r in dims["product"]},
    }


def _records(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Normalised header and the records (blank lines are not records)."""
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), strict=True)
    header, *records = [r for r in rows if r]
    return [h.strip().lower() for h in header], records


def _outcomes(name: str, content: bytes, month: str, known: dict[str, set]) -> list[tuple]:
    """(file, line_number, reason or None, total_cost of an accepted row) per record."""
    header, records = _records(content)
    outcomes = []
    for line_number, fields in enumerate(records, start=2):
        if len(fields) != len(header):
            outcomes.append((name, line_number, c.REASON_MALFORMED_ROW, None))
            continue
        raw = {h: (f.strip() or None) for h, f in zip(header, fields, strict=True)}
        reason = _reason(raw, month, known)
        outcomes.append((name, line_number, reason, None if reason else Decimal(raw["total_cost"])))
    return outcomes


# --- dimensions ---------------------------------------------------------------------------
def test_dimension_rows_fit_the_tables(dims: gen.DimensionRows) -> None:
    for table in ws.DIMENSION_TABLES:
        rows = dims[table.name]
        assert rows and all(set(row) == set(table.columns.keys()) for row in rows)
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if length:
                assert all(len(row[column.name] or "") <= length for row in rows), column
    assert len({r["customer_id"] for r in dims["customer"]}) == 300
    assert all(re.fullmatch(r"\+91 [6-9][0-9]{9}", r["phone_number"]) for r in dims["customer"])
    assert all(re.fullmatch(r"[1-9][0-9]{5}", r["pincode"]) for r in dims["customer"])


def test_products_have_unique_names_and_cent_prices(dims: gen.DimensionRows) -> None:
    names = [r["name"] for r in dims["product"]]
    assert len(set(names)) == len(names) == 120
    for row in dims["product"]:
        for price in (row["current_price"], row["old_price"]):
            assert isinstance(price, Decimal) and price.as_tuple().exponent == -2 and price > 0
        assert row["created_date"] <= row["updated_date"] < row["expiry_date"]
    many = gen.generate_dimensions(customers=1, stores=1, products=5_000, seed=1)["product"]
    assert len({r["name"] for r in many}) == 5_000


def test_every_store_has_one_manager_and_every_sales_person_a_manager(
    dims: gen.DimensionRows,
) -> None:
    team = {r["id"]: r for r in dims["sales_team"]}
    managers = [r for r in team.values() if r["is_manager"] == "Y"]
    assert len(managers) == len(dims["store"]) == 4
    assert all(r["manager_id"] is None for r in managers)
    people = [r for r in team.values() if r["is_manager"] == "N"]
    assert len(people) == 4 * 3
    assert all(team[r["manager_id"]]["is_manager"] == "Y" for r in people)
    manager_names = sorted(f"{r['first_name']} {r['last_name']}" for r in managers)
    assert sorted(r["store_manager_name"] for r in dims["store"]) == manager_names


def test_dimensions_are_reproducible_from_the_seed() -> None:
    first = gen.generate_dimensions(customers=20, stores=2, products=10, seed=5)
    assert first == gen.generate_dimensions(customers=20, stores=2, products=10, seed=5)
    assert first != gen.generate_dimensions(customers=20, stores=2, products=10, seed=6)


def test_dimension_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="stores=0"):
        gen.generate_dimensions(stores=0)


# --- a clean month ------------------------------------------------------------------------
def test_month_csv_rows_are_valid_and_reference_dimensions(dims: gen.DimensionRows) -> None:
    content = gen.generate_month_csv(MONTH, 500, dims, seed=1)
    header, records = _records(content)
    assert sorted(header) == sorted([*c.MANDATORY_COLUMNS, gen.EXTRA_COLUMN])
    assert len(records) == 500
    known = _known(dims)
    price_of = {r["name"]: r["current_price"] for r in dims["product"]}
    manager_store = {
        r["store_manager_name"]: r["id"] for r in dims["store"]
    }  # names are unique in this small sample
    team = {r["id"]: r for r in dims["sales_team"]}
    for fields in records:
        row = dict(zip(header, fields, strict=True))
        assert row["sales_date"].startswith(MONTH + "-")
        dt.date.fromisoformat(row["sales_date"])
        price, quantity = Decimal(row["price"]), int(row["quantity"])
        assert Decimal(row["total_cost"]) == price * quantity and quantity >= 1
        assert price == price_of[row["product_name"]]
        assert _reason(row, MONTH, known) is None
        manager = team[team[int(row["sales_person_id"])]["manager_id"]]
        assert manager_store[f"{manager['first_name']} {manager['last_name']}"] == int(
            row["store_id"]
        )


def test_month_csv_is_reproducible_and_honours_line_ending_and_bom(
    dims: gen.DimensionRows,
) -> None:
    plain = gen.generate_month_csv(MONTH, 50, dims, seed=1)
    assert plain == gen.generate_month_csv(MONTH, 50, dims, seed=1)
    assert b"\r" not in plain and not plain.startswith(BOM)
    crlf = gen.generate_month_csv(MONTH, 50, dims, seed=1, line_ending="\r\n", bom=True)
    assert crlf.startswith(BOM)
    assert crlf[len(BOM) :].replace(b"\r\n", b"\n") == plain


def test_month_without_faults_is_one_clean_file(dims: gen.DimensionRows) -> None:
    files, manifest = gen.generate_month_files("2024-03", 200, dims, seed=2, faults=False)
    assert list(files) == ["sales_2024_03.csv"]
    assert manifest.processed_files == {"sales_2024_03.csv": 200}
    assert manifest.accepted_rows == 200 and manifest.rejected_rows == []
    assert not manifest.invalid_files and not manifest.duplicate_files
    outcomes = _outcomes("sales_2024_03.csv", files["sales_2024_03.csv"], "2024-03", _known(dims))
    assert sum(total for *_, total in outcomes) == manifest.accepted_total_cost


def test_bad_month_is_refused(dims: gen.DimensionRows) -> None:
    with pytest.raises(ValueError, match="not a month"):
        gen.generate_month_csv("2024-13", 1, dims)


# --- a faulty month -----------------------------------------------------------------------
def test_manifest_matches_every_row_of_the_files(
    dims: gen.DimensionRows, faulty: tuple[dict[str, bytes], gen.MonthManifest]
) -> None:
    files, manifest = faulty
    known = _known(dims)
    outcomes = [
        outcome
        for name in manifest.processed_files
        for outcome in _outcomes(name, files[name], MONTH, known)
    ]
    rejected = sorted((f, line, reason) for f, line, reason, _ in outcomes if reason)
    assert rejected == sorted((r.file, r.line_number, r.reason) for r in manifest.rejected_rows)
    accepted = [total for *_, reason, total in outcomes if reason is None]
    assert len(accepted) == manifest.accepted_rows
    assert sum(accepted) == manifest.accepted_total_cost
    assert len(outcomes) == manifest.rows_read == manifest.accepted_rows + manifest.rejected_count
    for name, rows in manifest.processed_files.items():
        assert len(_records(files[name])[1]) == rows


def test_every_row_reason_is_injected(
    faulty: tuple[dict[str, bytes], gen.MonthManifest],
) -> None:
    _, manifest = faulty
    expected = {
        c.REASON_MALFORMED_ROW,
        *(f"null_{column}" for column in c.MANDATORY_COLUMNS),
        *(f"invalid_{column}" for column in c.MANDATORY_COLUMNS if column != "product_name"),
        c.REASON_DATE_OUTSIDE_MONTH,
        c.REASON_NEGATIVE_PRICE,
        c.REASON_NON_POSITIVE_QUANTITY,
        c.REASON_TOTAL_COST_MISMATCH,
        c.REASON_UNKNOWN_CUSTOMER,
        c.REASON_UNKNOWN_STORE,
        c.REASON_UNKNOWN_SALES_PERSON,
        c.REASON_UNKNOWN_PRODUCT,
    }
    assert set(manifest.rejected_by_reason) == expected
    assert sum(manifest.rejected_by_reason.values()) == manifest.rejected_count
    assert len(manifest.tolerance_rows) == 2  # off by +0.01 and -0.01, accepted


def test_overflows_and_tolerance_rows_are_where_the_manifest_says(
    faulty: tuple[dict[str, bytes], gen.MonthManifest],
) -> None:
    files, manifest = faulty
    main = "sales_2024_02.csv"
    header, records = _records(files[main])

    def value(line_number: int, column: str) -> str:
        return records[line_number - 2][header.index(column)].strip()

    invalid = {
        (r.reason, value(r.line_number, r.reason.removeprefix("invalid_")))
        for r in manifest.rejected_rows
        if r.reason.startswith("invalid_")
    }
    assert ("invalid_quantity", "99999999999") in invalid
    assert ("invalid_price", "123456789.00") in invalid
    assert ("invalid_customer_id", "2147483648") in invalid
    assert ("invalid_sales_date", "2024-02-30") in invalid
    for name, line_number in manifest.tolerance_rows:
        assert name == main
        gap = Decimal(value(line_number, "total_cost")) - Decimal(
            value(line_number, "price")
        ) * int(value(line_number, "quantity"))
        assert abs(gap) == Decimal("0.01")


def test_files_have_the_promised_bytes(
    faulty: tuple[dict[str, bytes], gen.MonthManifest],
) -> None:
    files, manifest = faulty
    main = "sales_2024_02.csv"
    assert sorted(files) == manifest.files
    assert files["empty.csv"] == b""
    assert b"\xe9" in files["latin1.csv"] and files["latin1_copy.csv"] == files["latin1.csv"]
    with pytest.raises(UnicodeDecodeError):
        files["latin1.csv"].decode("utf-8")
    assert not files["notes.txt"].startswith(b"\xef")
    assert files["sales_copy.csv"] == files[main] and main < "sales_copy.csv"
    assert manifest.duplicate_files == {"sales_copy.csv": main}
    crlf = files["sales_2024_02_crlf.csv"]
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 1
    assert files["sales_2024_02_bom.CSV"].startswith(BOM)
    assert b"\n\n" in files[main] and files[main].endswith(b"\n\n")  # blank lines
    assert b'"Card, split\nwith ""cash"""' in files[main]
    missing_header = _records(files["missing.csv"])[0]
    assert "price" not in missing_header and "quantity" not in missing_header
    dup_header = _records(files["dupcols.csv"])[0]
    assert dup_header.count("price") == 2
    assert manifest.invalid_files == {
        "notes.txt": "not_csv",
        "empty.csv": "empty",
        "blank_lines.csv": "empty",
        "latin1.csv": "unreadable",
        "latin1_copy.csv": "unreadable",
        "badquote.csv": "unreadable",
        "missing.csv": "missing_columns:price,quantity",
        "dupcols.csv": "duplicate_columns",
    }
    assert manifest.processed_files["header_only.csv"] == 0


def test_project_parser_agrees_with_the_manifest(
    faulty: tuple[dict[str, bytes], gen.MonthManifest],
) -> None:
    files, manifest = faulty
    verdicts = [inspect_file(name, content) for name, content in files.items()]
    decisions = {d.name: d for d in decide_files(MONTH, verdicts)}
    for name, rows in manifest.processed_files.items():
        assert (decisions[name].status, decisions[name].rows_read) == (c.STATUS_PROCESSED, rows)
    for name, reason in manifest.invalid_files.items():
        assert (decisions[name].status, decisions[name].reason) == (c.STATUS_INVALID, reason)
    for name, original in manifest.duplicate_files.items():
        assert (decisions[name].status, decisions[name].reason) == (c.STATUS_DUPLICATE, original)


def test_small_months_still_get_every_fault(dims: gen.DimensionRows) -> None:
    files, manifest = gen.generate_month_files("2024-12", 0, dims, seed=9)
    assert manifest.accepted_rows > 0 and manifest.rejected_count > 30
    assert manifest.rows_read == manifest.accepted_rows + manifest.rejected_count
    assert files["sales_2024_12.csv"] == files["sales_copy.csv"]


# --- landing and warehouse ------------------------------------------------------------------
def test_generate_landing_writes_the_month_folders(tmp_path: Path, dims: gen.DimensionRows) -> None:
    landing = LandingZone.from_settings(Settings.from_env({"SALES_LANDING_URI": str(tmp_path)}))
    manifests = gen.generate_landing(landing, ["2024-01", "2024-02"], 50, dims, seed=4)
    assert list(manifests) == ["2024-01", "2024-02"]
    for month, manifest in manifests.items():
        folder = tmp_path / "sales" / month
        assert sorted(p.name for p in folder.iterdir()) == manifest.files
        expected, _ = gen.generate_month_files(month, 50, dims, seed=4)
        assert all((folder / name).read_bytes() == data for name, data in expected.items())


def _count(warehouse: Warehouse, table: sa.Table) -> int:
    with warehouse.engine().connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_load_dimensions_replaces_the_tables(tmp_path: Path, dims: gen.DimensionRows) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    assert gen.load_dimensions(warehouse, dims) == {name: len(rows) for name, rows in dims.items()}
    smaller = gen.generate_dimensions(customers=10, stores=1, products=5, seed=1)
    gen.load_dimensions(warehouse, smaller)
    for table in ws.DIMENSION_TABLES:
        assert _count(warehouse, table) == len(smaller[table.name])
    read_back = gen.read_dimension_rows(warehouse)
    by_id = {r["id"]: r for r in read_back["product"]}
    for row in smaller["product"]:
        assert by_id[row["id"]] == row  # exact cents and dates
    assert sorted(read_back["customer"], key=lambda r: r["customer_id"]) == smaller["customer"]
    warehouse.dispose()


def test_read_dimension_rows_says_what_to_do_when_empty(tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(WarehouseError, match="without --skip-dimensions"):
        gen.read_dimension_rows(warehouse)
    warehouse.dispose()


# --- report -------------------------------------------------------------------------------
def _result_rows(warehouse: Warehouse) -> None:
    warehouse.ensure_tables([ws.sales_team_incentive, ws.customer_monthly_sales])
    money = Decimal
    with warehouse.engine().begin() as connection:
        connection.execute(
            ws.sales_team_incentive.insert(),
            [
                dict(store_id=1, sales_person_id=2, full_name="Asha Rao", sales_month=MONTH,
                     total_sales=money("1500.00"), sales_rank=1, incentive=money("15.00")),
                dict(store_id=1, sales_person_id=3, full_name="Ravi Das", sales_month=MONTH,
                     total_sales=money("900.00"), sales_rank=2, incentive=money("0.00")),
                dict(store_id=2, sales_person_id=6, full_name="Meera Iyer", sales_month="2024-01",
                     total_sales=money("10.00"), sales_rank=1, incentive=money("0.10")),
            ],
        )  # fmt: skip
        connection.execute(
            ws.customer_monthly_sales.insert(),
            [
                dict(customer_id=7, full_name="Neha Jain", sales_month=MONTH,
                     total_sales=money("0.00"), previous_month_sales=money("1234.50"),
                     sales_change=money("-1234.50"), is_declining=True),
                dict(customer_id=8, full_name="Yash Shah", sales_month=MONTH,
                     total_sales=money("50.00"), previous_month_sales=money("80.00"),
                     sales_change=money("-30.00"), is_declining=True),
                dict(customer_id=9, full_name="Sara Khan", sales_month=MONTH,
                     total_sales=money("90.00"), previous_month_sales=money("10.00"),
                     sales_change=money("80.00"), is_declining=False),
            ],
        )  # fmt: skip


def test_report_reads_the_result_tables(tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    _result_rows(warehouse)
    performers = top_performers(warehouse, MONTH)
    assert [(r["store_id"], r["full_name"]) for r in performers] == [(1, "Asha Rao")]
    decliners = declining_customers(warehouse, MONTH, limit=1)
    assert [r["customer_id"] for r in decliners] == [7]
    text = format_report(MONTH, performers, declining_customers(warehouse, MONTH, 5), 5)
    assert "Asha Rao" in text and "1,500.00" in text and "-1,234.50" in text
    assert "Sara Khan" not in text and "Meera Iyer" not in text
    assert "(none)" in format_report("2023-01", [], [])
    warehouse.dispose()


# --- CLI ----------------------------------------------------------------------------------
def test_parse_months() -> None:
    assert parse_months("2024-01..2024-03") == ["2024-01", "2024-02", "2024-03"]
    assert parse_months("2023-12..2024-01,2024-05, 2024-01") == ["2023-12", "2024-01", "2024-05"]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALES_LANDING_URI", str(tmp_path / "landing"))
    monkeypatch.setenv("SALES_WAREHOUSE_URL", f"sqlite:///{tmp_path}/w.db")
    return tmp_path


def test_cli_generate_lands_files_and_loads_dimensions(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["generate", "--months", "2024-01..2024-02", "--rows-per-month", "120"]
    sizes = ["--customers", "40", "--stores", "2", "--sales-people-per-store", "2"]
    assert main([*args, *sizes, "--products", "15", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "2024-01: landed 13 files" in out and "expected:" in out and "done in" in out
    month_files = {p.name for p in (cli_env / "landing" / "sales" / "2024-02").iterdir()}
    assert {"sales_2024_02.csv", "sales_copy.csv", "notes.txt"} <= month_files
    warehouse = Warehouse(url=f"sqlite:///{cli_env}/w.db")
    assert _count(warehouse, ws.customer) == 40 and _count(warehouse, ws.sales_team) == 6
    warehouse.dispose()

    assert main(["generate", "--months", "2024-03", "--skip-dimensions", "--no-faults"]) == 0
    assert "using those in sqlite" in capsys.readouterr().out
    landed = list((cli_env / "landing" / "sales" / "2024-03").iterdir())
    assert [p.name for p in landed] == ["sales_2024_03.csv"]


def test_cli_report(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = Warehouse(url=f"sqlite:///{cli_env}/w.db")
    _result_rows(warehouse)
    warehouse.dispose()
    assert main(["report", "--month", MONTH, "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "Sales report for 2024-02" in out and "Asha Rao" in out and "Neha Jain" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "--months", "2024-13"],
        ["generate", "--rows-per-month", "lots"],
        ["report"],
        ["report", "--month", "2024-01"],  # no result tables yet
        [],
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    cli_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("sales-assets: error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_cli_never_prints_the_warehouse_password(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 refuses connections at once: the load fails like a down server would.
    monkeypatch.setenv("SALES_WAREHOUSE_URL", "mysql+pymysql://sales:Pa55-secret@127.0.0.1:1/db")
    for argv in (["generate", "--months", "2024-01"], ["report", "--month", "2024-01"]):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert "Pa55-secret" not in captured.out + captured.err
        assert "127.0.0.1" in captured.err and captured.err.count("\n") == 1


def test_bulk_insert_also_works_with_named_parameters(dims: gen.DimensionRows) -> None:
    # MySQL drivers take named parameters; SQLite can too, which exercises that branch here.
    engine = sa.create_engine("sqlite://", paramstyle="named")
    ws.metadata.create_all(engine, tables=[ws.product])
    with engine.begin() as connection:
        gen._insert_all(connection, ws.product, dims["product"])
        rows = connection.execute(sa.select(ws.product).order_by(ws.product.c.id)).all()
    assert [dict(r._mapping) for r in rows] == dims["product"]
    engine.dispose()
