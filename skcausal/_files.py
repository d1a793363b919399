"""Atomic file writes: a reader (or a process killed mid-write) sees the old file or the new one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` and rename the result onto ``path``: readers see old or new, never
    half."""
    atomic_write_all([(path, write)])


def atomic_write_all(writes) -> None:
    """Like :func:`atomic_write` for several ``(path, write)`` pairs: every file is written and
    synced under a temporary name first, then all are renamed back to back, so a crash leaves the
    old files or the new ones (or, only between two renames, a mix that checksums expose)."""
    staged = []
    try:
        for path, write in writes:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            staged.append((tmp, path))
            write(tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes files private; checkpoints are meant to be shared
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
