"""Would Python's ``csv`` module (strict mode) and a strict UTF-8 decoder accept these bytes?

The Arrow CSV reader is fast but lenient: it reads ``"ab"c`` as ``abc`` and silently accepts
a quoted field left open at the end of a file, where the contract says such a file is
``unreadable`` (the strict ``csv`` module raises). This scan reads the same bytes as the
reader, block by block, and tells exactly those two errors and any invalid UTF-8. It only
looks at quote characters (``bytes.find``), so it costs next to nothing on real files.
"""

from __future__ import annotations

import codecs

QUOTE = ord('"')
# A field starts after one of these; a closing quote must be followed by one (or the end).
SEPARATORS = frozenset(b",\r\n")


class StrictCsvScan:
    """Feed the bytes after the header in order with :meth:`feed`, then call :meth:`finish`;
    ``failed`` is then True when the strict ``csv`` module or the UTF-8 decoder would raise.

    Outside quotes, a quote opens a quoted field only at the start of a field; elsewhere it
    is an ordinary character (as in the ``csv`` module). Inside quotes, a quote is either
    doubled (an escaped quote) or closes the field and must be followed by a separator.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._in_quotes = False
        self._closing_pending = False  # a quote inside quotes ended the last block
        self._previous = ord("\n")  # the header's line end: the first field starts here
        self.failed = False

    def feed(self, block: bytes) -> None:
        if self.failed or not block:
            return
        try:
            self._decoder.decode(block)
        except UnicodeDecodeError:
            self.failed = True
            return
        self.failed = not self._scan_quotes(block)
        self._previous = block[-1]

    def finish(self) -> bool:
        """True when every byte fed is acceptable (and the file may end here)."""
        if not self.failed:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.failed = True
            if self._in_quotes and not self._closing_pending:
                self.failed = True  # "unexpected end of data"
        return not self.failed

    def _scan_quotes(self, block: bytes) -> bool:
        size = len(block)
        at = 0
        if self._closing_pending:
            self._closing_pending = False
            if block[0] == QUOTE:
                at = 1  # an escaped quote: still inside quotes
            elif block[0] in SEPARATORS:
                self._in_quotes = False
            else:
                return False
        while True:
            quote = block.find(b'"', at)
            if quote < 0:
                return True
            if self._in_quotes:
                if quote + 1 == size:
                    self._closing_pending = True
                    return True
                after = block[quote + 1]
                if after == QUOTE:
                    at = quote + 2
                    continue
                if after not in SEPARATORS:
                    return False  # '"' expected after '"'
                self._in_quotes = False
            else:
                before = block[quote - 1] if quote else self._previous
                self._in_quotes = before in SEPARATORS
            at = quote + 1
