"""The forms checked in Arrow say exactly what Spark's ``rlike`` said of the same values."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pyspark.sql import functions as F

from sales_assets.transforms.value_forms import FORMS, form_column, in_form

# The forms as they were checked in Spark (Java regular expressions): the oracle.
JAVA_FORMS = {
    "integer": r"^[+-]?[0-9]+$",
    "decimal": r"^-?[0-9]+(\.[0-9]{1,2})?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
COLUMN_OF_FORM = {"integer": "customer_id", "decimal": "price", "date": "sales_date"}

ENDINGS = ["", "\n", "\r\n", "\r", "\n\n", "\r\r", "\n\r", "\u0085", "\u2028", "\u2029", " ", "\t"]
STEMS = ["12", "+12", "-12", "0", "1.5", "-1.50", "1.234", "1.", ".5", "2024-01-05", "2024-1-5"]
VALUES = (
    [stem + end for stem in STEMS for end in ENDINGS]
    + [end + stem for stem in STEMS for end in ENDINGS if end]
    + ["12\n3", "\u0663", "\uff11\uff12", "1e3", "", "--1", "+-1", "2024-01-05T00:00", None]
)


@pytest.mark.parametrize("form", sorted(JAVA_FORMS))
def test_arrow_forms_agree_with_spark_rlike(spark, form):
    column = COLUMN_OF_FORM[form]
    frame = spark.createDataFrame([(v,) for v in VALUES], "value string")
    java = [r[0] for r in frame.select(F.col("value").rlike(JAVA_FORMS[form])).collect()]
    arrow = in_form({name: pa.array(VALUES, pa.string()) for name in FORMS})
    assert arrow[form_column(column)].to_pylist() == java
