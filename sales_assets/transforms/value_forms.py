"""The accepted written forms of the typed mandatory values (SPEC section 2), checked in Arrow.

The executors check every raw value against its form while the records are still Arrow
columns (RE2, compiled, vectorised); Spark then casts only the values in form. Checking them
in Spark (Java regular expressions, one value at a time) was about a third of the cost of
judging a record.

The forms were first checked with Spark's ``rlike``, whose ``$`` (Java's) also matches before
one line terminator that ends the value; the RE2 forms below say so explicitly, so a value is
in form exactly when it was before.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

# Java's `$` without MULTILINE: the end, or just before a final \r\n, \n, \r, U+0085, U+2028
# or U+2029.
_END = r"(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?$"
INTEGER_FORM = r"^[+-]?[0-9]+" + _END
DECIMAL_FORM = r"^-?[0-9]+(?:\.[0-9]{1,2})?" + _END
DATE_FORM = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}" + _END

# Typed mandatory columns and their forms; product_name is text, any value is in form.
FORMS: dict[str, str] = {
    "customer_id": INTEGER_FORM,
    "store_id": INTEGER_FORM,
    "sales_date": DATE_FORM,
    "sales_person_id": INTEGER_FORM,
    "price": DECIMAL_FORM,
    "quantity": INTEGER_FORM,
    "total_cost": DECIMAL_FORM,
}


def form_column(name: str) -> str:
    """The boolean column telling whether ``name``'s raw value is in its form."""
    return f"{name}_in_form"


FORM_COLUMNS = tuple(form_column(name) for name in FORMS)


def in_form(values: Mapping[str, pa.Array]) -> dict[str, pa.Array]:
    """``form_column(name)`` -> per value, whether it is in ``name``'s form (NULL for NULL)."""
    return {
        form_column(name): pc.match_substring_regex(values[name], pattern)
        for name, pattern in FORMS.items()
    }
