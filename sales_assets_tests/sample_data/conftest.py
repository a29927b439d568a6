"""Sample data shared by the sample_data tests: small dimensions and one faulty month.

Package-scoped: generating them is the slow part, and no test changes them.
"""

from __future__ import annotations

import pytest

from sales_assets import sample_data
from sales_assets_tests.sample_data.spec_rules import MONTH


@pytest.fixture(scope="package")
def dims() -> sample_data.DimensionRows:
    return sample_data.generate_dimensions(
        customers=300, stores=4, sales_people_per_store=3, products=120, seed=7
    )


@pytest.fixture(scope="package")
def faulty(
    dims: sample_data.DimensionRows,
) -> tuple[dict[str, bytes], sample_data.MonthManifest]:
    return sample_data.generate_month_files(MONTH, 400, dims, seed=3, faults=True)
