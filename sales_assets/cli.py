"""The ``sales-assets`` command: land sample data, print the monthly report.

Settings come from the environment (SPEC section 1). Errors are one line on stderr, exit
code 2, no traceback, and never the warehouse password.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

import sqlalchemy as sa
from botocore.exceptions import BotoCoreError, ClientError

from sales_assets import partitions, sample_data, spark_class_archive
from sales_assets.config import WAREHOUSE_URL_VARIABLE, ConfigError, Settings
from sales_assets.report import declining_customers, format_report, top_performers
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url

PROG = "sales-assets"
EXIT_ERROR = 2
EXIT_CHECK_FAILED = 1


class CliError(Exception):
    """A user-facing error: the message says what failed, where, and what to do."""


class CheckFailedError(Exception):
    """A check ran and failed: its line was printed; the exit status says so."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints usage plus the message; one line with a pointer to --help is enough.
        raise CliError(f"{message} (see '{self.prog} --help').")


# --- argument types -------------------------------------------------------------------------
def parse_months(text: str) -> list[str]:
    """``2024-01..2024-03`` (inclusive range) or ``2024-01,2024-05``, or both mixed."""
    try:
        return partitions.parse_months(text)
    except ValueError as error:  # argparse shows an ArgumentTypeError's message as it is
        raise argparse.ArgumentTypeError(str(error)) from None


def _month(text: str) -> str:
    months = parse_months(text)
    if len(months) != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give one month, YYYY-MM")
    return months[0]


def _count(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} is too small: use {least} or more")
        return value

    parse.__name__ = "number"  # argparse names the type in its messages
    return parse


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0].replace("``", ""))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser(
        "generate",
        help="load sample dimension tables and land sample sales files",
        description="Load sample dimension tables into SALES_WAREHOUSE_URL and land sample "
        "sales files under SALES_LANDING_URI/sales/YYYY-MM/.",
    )
    generate.add_argument(
        "--months", type=parse_months, default=parse_months("2024-01..2024-03"),
        help="YYYY-MM, a range 2024-01..2024-12 or a comma list (default 2024-01..2024-03)",
    )  # fmt: skip
    generate.add_argument("--rows-per-month", type=_count(0), default=10_000)
    generate.add_argument("--customers", type=_count(1), default=1_000)
    generate.add_argument("--stores", type=_count(1), default=5)
    generate.add_argument("--sales-people-per-store", type=_count(0), default=5)
    generate.add_argument("--products", type=_count(1), default=200)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument(
        "--faults", action=argparse.BooleanOptionalAction, default=True,
        help="also land bad rows, invalid and duplicate files (default: on)",
    )  # fmt: skip
    generate.add_argument(
        "--skip-dimensions", action="store_true",
        help="keep the warehouse's dimension tables; land sales that reference them",
    )  # fmt: skip
    generate.set_defaults(handler=_generate)

    report = commands.add_parser(
        "report",
        help="print the top performer per store and the declining customers of a month",
    )
    report.add_argument("--month", type=_month, required=True, help="YYYY-MM")
    report.add_argument("--limit", type=_count(1), default=10, help="declining customers shown")
    report.set_defaults(handler=_report)

    check = commands.add_parser(
        "check",
        help="run the mandatory-columns checks on stored months (no materialization)",
        description="Run each stage's mandatory_columns_not_null check on what is stored, "
        "for one month or every stored month. With DAGSTER_HOME set the results show in "
        "the UI. Exit status 1 when a check fails.",
    )
    check.add_argument("--month", type=_month, help="YYYY-MM (default: every stored month)")
    check.add_argument(
        "--asset", action="append", dest="assets", metavar="ASSET",
        help="only this asset's check (repeatable; default: every stage after landing)",
    )  # fmt: skip
    check.set_defaults(handler=_check)

    archive = commands.add_parser(
        "spark-class-archive",
        help="build the Spark driver's class archive (faster JVM start for every run)",
        description="Run the pipeline once on a little sample data in a scratch folder and "
        "keep the classes its JVM loaded as a class-data-sharing archive, which later runs "
        f"map at start. Written to ${spark_class_archive.ARCHIVE_VARIABLE} or the user's "
        "cache; build it again after changing Java or PySpark.",
    )
    archive.add_argument(
        "--rebuild", action="store_true", help="build it even when it is already there"
    )
    archive.set_defaults(handler=_class_archive)
    return parser


# --- commands -------------------------------------------------------------------------------
def _generate(args: argparse.Namespace, settings: Settings) -> None:
    started = time.perf_counter()
    warehouse = Warehouse(url=settings.warehouse_url)
    try:
        dims = _dimensions(args, warehouse)
    finally:
        warehouse.dispose()
    landing = LandingZone.from_settings(settings)
    for month in args.months:
        month_started = time.perf_counter()
        manifest = sample_data.generate_landing(
            landing, [month], args.rows_per_month, dims, seed=args.seed, faults=args.faults
        )[month]
        print(
            f"{month}: landed {_plural(len(manifest.files), 'file')}, "
            f"{_plural(manifest.rows_read, 'record')} in "
            f"{settings.landing_uri}/sales/{month}/ ({_since(month_started)})"
        )
        if args.faults:
            print(
                f"  expected: {manifest.accepted_rows:,} rows accepted, "
                f"{manifest.rejected_count} rejected, {len(manifest.invalid_files)} invalid and "
                f"{len(manifest.duplicate_files)} duplicate files"
            )
    print(f"done in {_since(started)}")


def _dimensions(args: argparse.Namespace, warehouse: Warehouse) -> sample_data.DimensionRows:
    """Generate and load the dimension tables, or read those already loaded."""
    started, where = time.perf_counter(), describe_url(warehouse.url)
    if args.skip_dimensions:
        dims = sample_data.read_dimension_rows(warehouse)
        print(f"dimensions: using those in {where} ({_counts(dims)})")
    else:
        dims = sample_data.generate_dimensions(
            customers=args.customers,
            stores=args.stores,
            sales_people_per_store=args.sales_people_per_store,
            products=args.products,
            seed=args.seed,
        )
        sample_data.load_dimensions(warehouse, dims)
        print(f"dimensions: loaded {_counts(dims)} into {where} ({_since(started)})")
    return dims


def _report(args: argparse.Namespace, settings: Settings) -> None:
    warehouse = Warehouse(url=settings.warehouse_url)
    warehouse.require_existing()  # read-only: never leave an empty database behind
    try:
        performers = top_performers(warehouse, args.month)
        decliners = declining_customers(warehouse, args.month, args.limit)
    finally:
        warehouse.dispose()
    print(format_report(args.month, performers, decliners, args.limit))


def _check(args: argparse.Namespace, settings: Settings) -> None:
    # Loads every definition (Dagster, Spark): only for this command.
    from sales_assets.definitions import build_definitions
    from sales_assets.stored_checks import run_stored_checks

    outcomes = run_stored_checks(build_definitions(settings), args.month, args.assets)
    for outcome in outcomes:
        verdict = "passed" if outcome.passed else "FAILED"
        line = f"{outcome.asset:<24} {outcome.check}  {outcome.month}  {verdict}"
        print(line + (f"  ({outcome.description})" if outcome.description else ""))
    if not all(outcome.passed for outcome in outcomes):
        raise CheckFailedError(f"{sum(not o.passed for o in outcomes)} check result(s) failed")


def _class_archive(args: argparse.Namespace, settings: Settings) -> None:
    path = spark_class_archive.archive_path()
    if path is None:
        raise CliError(f"{spark_class_archive.ARCHIVE_VARIABLE}=off: no archive to build.")
    if spark_class_archive.is_whole(path) and not args.rebuild:
        print(f"class archive: already built, {path} (--rebuild to build it again)")
        return
    started = time.perf_counter()
    print(f"class archive: training run of the pipeline on sample data for {path} ...")
    try:
        spark_class_archive.build(path)
    except spark_class_archive.ClassArchiveError as error:
        raise CliError(str(error)) from None
    print(f"class archive: {path} ({path.stat().st_size >> 20} MiB, {_since(started)})")


def _counts(dims: Mapping[str, Sequence[object]]) -> str:
    return ", ".join(f"{name}={len(rows):,}" for name, rows in dims.items())


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}s"


# --- entry point ----------------------------------------------------------------------------
def _without_password(message: str) -> str:
    """Belt and braces: no error text may carry the warehouse password."""
    try:
        password = sa.make_url(os.environ.get(WAREHOUSE_URL_VARIABLE, "")).password
    except sa.exc.ArgumentError:
        return message
    return message.replace(str(password), "***") if password else message


def _error_message(error: BaseException, settings: Settings | None) -> str:
    if isinstance(error, ImportError):
        where = describe_url(settings.warehouse_url) if settings else "the warehouse"
        return (
            f"a driver for {where} is not installed ({error}); install it, e.g. "
            "pip install pymysql for mysql+pymysql:// URLs."
        )
    if isinstance(error, NotImplementedError):
        return f"{error}: this storage is not supported by this command yet."
    if isinstance(error, BotoCoreError | ClientError):
        where = settings.landing_uri if settings else "the landing zone"
        return (
            f"S3 request for {where} failed ({type(error).__name__}: {error}). Check "
            "SALES_LANDING_URI, AWS_ENDPOINT_URL, AWS_REGION and the AWS credentials."
        )
    if isinstance(error, OSError):
        return (
            f"cannot use {error.filename or 'a file'}: {error.strerror or error}. "
            "Check that SALES_LANDING_URI and SALES_WAREHOUSE_URL name writable places."
        )
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 2 on any error (one line on stderr)."""
    settings: Settings | None = None
    try:
        args = _parser().parse_args(argv)
        settings = Settings.from_env()
        args.handler(args, settings)
        return 0
    except SystemExit as exit_:  # --help, --version
        return int(exit_.code or 0)
    except CheckFailedError as failed:
        print(f"{PROG}: {failed}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (CliError, ConfigError, WarehouseError, ValueError) as error:
        message = str(error)
    except (ImportError, NotImplementedError, OSError, BotoCoreError, ClientError) as error:
        message = _error_message(error, settings)
    except Exception as error:  # last resort: still one line, still no password
        message = f"unexpected {type(error).__name__}: {str(error).splitlines()[0][:300]}"
    message = _without_password(" ".join(message.split()))
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
