"""Time the landed-file parser on one file: Arrow's reader and the csv module's.

The same bytes go through both paths: as they are (a plain header: Arrow's reader), and with
the header's first name quoted (the csv module's path, which reads quoted headers). Both
must give the same records; the script checks the counts and prints seconds and rows/s.

usage: python benchmarks/parse_file.py PATH.csv
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from sales_assets.transforms.landing_parser import FileVerdict, RecordChunk, parse_stream


def timed(name: str, content: bytes) -> tuple[float, int, FileVerdict]:
    started = time.perf_counter()
    records = 0
    verdict = None
    for part in parse_stream(name, io.BytesIO(content)):
        if isinstance(part, RecordChunk):
            records += len(part)
        else:
            verdict = part
    assert verdict is not None
    return time.perf_counter() - started, records, verdict


def main() -> None:
    path = Path(sys.argv[1])
    content = path.read_bytes()
    first, rest = content.split(b",", 1)
    quoted = b'"' + first.strip(b" ").removeprefix(b"\xef\xbb\xbf") + b'",' + rest
    arrow = timed(path.name, content)
    module = timed(path.name, quoted)
    assert arrow[1] == module[1] and arrow[2].invalid_reason == module[2].invalid_reason
    size = len(content) / 1e6
    print(f"{path.name}: {size:.0f} MB, {arrow[1]:,} records")
    for label, (seconds, records, _) in (("arrow reader", arrow), ("csv module", module)):
        print(f"  {label:<13} {seconds:6.2f} s  {records / seconds:12,.0f} records/s")


if __name__ == "__main__":
    main()
