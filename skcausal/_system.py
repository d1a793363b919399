"""What the machine has: free memory on a device. Shared by the simulator and the estimators."""

from __future__ import annotations

import os

import torch


class InsufficientMemoryError(MemoryError):
    """The requested computation would need more memory than allowed."""


def available_bytes(device) -> int | None:
    """Free memory on ``device`` (None when it cannot be told)."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
