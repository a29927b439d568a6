"""How generated values are written: money in cents as ``Decimal`` or text, CSV fields,
records and whole files.

Money is kept in integer cents everywhere in the generator, so sums in the manifest are exact;
these are the only places cents become something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

UTF8_BOM = b"\xef\xbb\xbf"


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)  # scaleb keeps two decimals: 1200 -> 12.00


def cents_text(cents: int) -> str:
    """``1250`` -> ``12.50``, ``-5`` -> ``-0.05``: the form the data contract accepts."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def csv_field(value: str) -> str:
    """RFC 4180 quoting, only where needed."""
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(fields: Sequence[str]) -> str:
    return ",".join(csv_field(f) for f in fields)


def encode_lines(lines: Sequence[str], line_ending: str = "\n", bom: bool = False) -> bytes:
    """The file's bytes: UTF-8, every line ended (the last one too), an optional BOM."""
    text = line_ending.join(lines) + line_ending
    return (UTF8_BOM if bom else b"") + text.encode("utf-8")
