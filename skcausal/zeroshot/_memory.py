"""How much memory a forward pass needs, decided before anything is allocated.

The features are accumulated over chunks of rows and the transformer runs over chunks of the d x d
grid, so memory grows like n*d (the data itself) plus d^2 (two copies of the token grid); the chunk
sizes below keep each chunk's temporaries near a fixed budget.
"""

from __future__ import annotations

from skcausal._system import InsufficientMemoryError, available_bytes
from skcausal.zeroshot._features import N_FEATURES, N_TRANSFORMS

_FLOAT = 4
_CHUNK_BUDGET = 128 * 2**20  # bytes of temporaries per chunk
_SAFETY = 1.25


def chunk_sizes(n_samples: int, n_features: int, dim: int) -> tuple[int, int]:
    """(grid rows per chunk, data rows per chunk) that keep each chunk's temporaries near 128 MB."""
    d = n_features
    grid = max(1, min(d, _CHUNK_BUDGET // (d * dim * _FLOAT * 16)))
    rows = max(64, min(n_samples, _CHUNK_BUDGET // (N_TRANSFORMS * d * _FLOAT * 4)))
    return grid, rows


def estimate_forward_bytes(n_samples: int, n_features: int, dim: int) -> int:
    """Bytes a forward pass allocates on top of the loaded model (an upper estimate)."""
    n, d = n_samples, n_features
    grid, rows = chunk_sizes(n, d, dim)
    data = n * d * (8 + 8 + 4 + 4 + 2)  # float64 input and rescaled copy, float32 copies, masks
    feature_chunk = rows * N_TRANSFORMS * d * (4 + 8 + 4 + 4) + rows * d * _FLOAT * 6
    sums = (N_TRANSFORMS * d) ** 2 * _FLOAT + 20 * d * d * _FLOAT
    tokens = 3 * d * d * N_FEATURES * _FLOAT
    # The column block's contingency tables (b, d, d, 6, 6) and their temporaries, and one row
    # chunk's one-hot levels.
    contingency = 6 * (6 * d) ** 2 * _FLOAT + rows * d * 6 * _FLOAT * 2
    grid_copies = 4 * d * d * dim * _FLOAT  # embedding output, h, its clone, normalised x
    grid_chunk = grid * d * dim * _FLOAT * 16
    total = data + feature_chunk + sums + tokens + contingency + grid_copies + grid_chunk
    return int(_SAFETY * total)


def window_bytes(n_features: int) -> int:
    """Bytes that reading the columns in windows (``_windows``) adds to each forward pass's: the
    d x d matrices of float64 that choose the windows and collect their answers."""
    return int(_SAFETY * 12 * n_features**2 * 8)


def check_memory(
    n_samples: int, n_features: int, dim: int, device, memory_limit, window=None
) -> int:
    """Raise InsufficientMemoryError when the estimate exceeds the limit; returns the estimate.

    ``memory_limit``: "auto" (90% of the memory now available on the device), a number of GB, or
    None (no check). ``window``: columns per forward pass when fewer than ``n_features``.
    """
    if window is None or window >= n_features:
        need = estimate_forward_bytes(n_samples, n_features, dim)
    else:
        need = estimate_forward_bytes(n_samples, window, dim) + window_bytes(n_features)
    if memory_limit is None:
        return need
    if memory_limit == "auto":
        free = available_bytes(device)
        if free is None:
            return need
        limit, source = 0.9 * free, "90% of the memory available now"
    else:
        limit, source = float(memory_limit) * 2**30, f"memory_limit={memory_limit}"
    if need > limit:
        raise InsufficientMemoryError(
            f"a forward pass on n_samples={n_samples}, n_features={n_features} needs about "
            f"{need / 2**30:.1f} GB, more than {limit / 2**30:.1f} GB ({source}). "
            "Memory grows with "
            "n_features squared: fit on fewer variables, or set memory_limit higher (in GB) if the "
            "device really has the memory."
        )
    return need


def datasets_per_pass(
    n_samples: int, n_features: int, dim: int, device, memory_limit, n_datasets: int
) -> int:
    """How many same-sized datasets one batched forward pass may take within the memory limit
    (at least 1; the single-dataset pass is checked by :func:`check_memory`)."""
    need = estimate_forward_bytes(n_samples, n_features, dim)
    if memory_limit is None:
        return n_datasets
    if memory_limit == "auto":
        free = available_bytes(device)
        if free is None:
            return n_datasets
        limit = 0.9 * free
    else:
        limit = float(memory_limit) * 2**30
    return int(max(1, min(n_datasets, limit // max(need, 1))))
