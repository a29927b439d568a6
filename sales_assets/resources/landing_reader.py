"""Opening a landed file inside a Spark executor, never on the driver.

The reader is a small picklable object shipped with the tasks: a local path is opened
without following a link and refused unless it is a regular file (so a FIFO can never block
a task); an ``s3a://`` object is streamed with boto3 (credentials from the executor's
environment, as s3a itself reads them).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlparse

_clients: dict[tuple[str | None, str | None], Any] = {}  # one boto3 client per executor


@dataclass(frozen=True)
class LandingReader:
    endpoint_url: str | None = None
    region_name: str | None = None

    def open(self, location: str) -> IO[bytes] | None:
        """The file's bytes as a stream; None when the entry is not a regular file."""
        if location.startswith("s3a://"):
            return self._open_s3(location)
        return open_regular_file(location)

    def _open_s3(self, location: str) -> IO[bytes]:
        parsed = urlparse(location)
        key = (self.endpoint_url, self.region_name)
        if key not in _clients:
            import boto3  # executors need it only for S3

            _clients[key] = boto3.client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region_name
            )
        response = _clients[key].get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
        return response["Body"]


def open_regular_file(path: str) -> IO[bytes] | None:
    """A regular file opened for reading; None for a link, folder, FIFO or socket.

    O_NOFOLLOW refuses a link even if it was swapped in after the listing; O_NONBLOCK makes
    opening a FIFO return at once instead of waiting for a writer.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            return None  # a link, a socket, a folder
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")
