"""The ``sales-assets`` command: generate and report, and errors as one line without the
warehouse password."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.cli import main, parse_months
from sales_assets.resources.warehouse import Warehouse
from sales_assets_tests.result_rows import MONTH, insert_result_rows


def _count(warehouse: Warehouse, table: sa.Table) -> int:
    with warehouse.engine().connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_parse_months() -> None:
    assert parse_months("2024-01..2024-03") == ["2024-01", "2024-02", "2024-03"]
    assert parse_months("2023-12..2024-01,2024-05, 2024-01") == ["2023-12", "2024-01", "2024-05"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2024-13",
            "'2024-13' is not a month: use YYYY-MM, a range 2024-01..2024-12 or a comma list",
        ),
        ("2024-03..2024-01", "range '2024-03..2024-01' ends before it starts"),
    ],
)
def test_parse_months_errors_are_argparse_errors(text: str, message: str) -> None:
    # argparse prints an ArgumentTypeError's message as it is (any other error as "invalid").
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        parse_months(text)
    assert str(raised.value) == message


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
    insert_result_rows(warehouse)
    warehouse.dispose()
    assert main(["report", "--month", MONTH, "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "Sales report for 2024-02" in out and "Asha Rao" in out and "Neha Jain" in out


def test_cli_report_without_a_warehouse_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from another folder with the default relative URL: a clear error, no empty
    data/warehouse.db left behind."""
    monkeypatch.delenv("SALES_WAREHOUSE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--month", MONTH]) == 2
    err = capsys.readouterr().err
    assert f"No warehouse at {tmp_path}/data/warehouse.db" in err
    assert "run this from the folder you ran the pipeline in" in err
    assert list(tmp_path.iterdir()) == []


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
