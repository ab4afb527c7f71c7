"""Ingest layer: manifests and raw files.

The names of the former ``plantrace.ingest`` module (now :mod:`plantrace.ingest.read`)
are re-exported here for one release.
"""

from .read import DEFAULT_MAX_BYTES, RawText, read_raw

__all__ = ["DEFAULT_MAX_BYTES", "RawText", "read_raw"]
