"""Realistic synthetic sales data: dimension rows and the monthly files of the landing zone.

With ``faults`` a month also gets every kind of bad input the data contract (SPEC section 2)
names, and a :class:`MonthManifest` says exactly what the pipeline must make of it, so tests
can compare the pipeline's output with it. A seed gives the same rows and bytes every time.

Modules, in the order data flows: ``words`` and ``draws`` (what is drawn), ``dimensions``
(the four dimension tables), ``sales_files`` (valid sales rows and files), ``faults`` (bad
rows and files), ``manifest`` (the expected outcome), ``landing`` (month folders).
"""

from sales_assets.sample_data.dimensions import (
    INT32_MAX,
    DimensionRows,
    DimensionsLike,
    generate_dimensions,
    load_dimensions,
    read_dimension_rows,
)
from sales_assets.sample_data.landing import (
    SIDE_FILE_MAX_ROWS,
    generate_landing,
    generate_month_files,
)
from sales_assets.sample_data.manifest import MonthManifest, RejectedRow
from sales_assets.sample_data.sales_files import EXTRA_COLUMN, generate_month_csv

__all__ = [
    "EXTRA_COLUMN",
    "INT32_MAX",
    "SIDE_FILE_MAX_ROWS",
    "DimensionRows",
    "DimensionsLike",
    "MonthManifest",
    "RejectedRow",
    "generate_dimensions",
    "generate_landing",
    "generate_month_csv",
    "generate_month_files",
    "load_dimensions",
    "read_dimension_rows",
]
