"""The features' matrix inverses stay right once torch.set_num_threads has been called.

torch's CPU build runs a batch's LU factorisations in parallel threads after
``torch.set_num_threads(k > 1)``, which its LAPACK (MKL) is not safe for: from about 150 columns
the batch's inverses come back wrong, raise, or hang. The features invert 2d x 2d matrices (the
[x, x^2] partial correlations), so a batch of datasets with d >= 75 is exposed. Each check runs in
a child process: the thread count is process-wide, and a regression may hang.
"""

import subprocess
import sys
import textwrap

import pytest
import torch

from skcausal.zeroshot._linalg import inverse

CHILD = textwrap.dedent(
    """
    import torch
    from skcausal.zeroshot._linalg import precision_matrix

    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(0)
    d, b = 160, 4
    for _ in range(5):
        x = torch.randn(b, 3 * d, d, generator=g)
        x = (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True)
        corr = x.transpose(1, 2) @ x / (3 * d - 1)
        precision = precision_matrix(corr, 1e-3)
        eye = torch.eye(d)
        error = (precision @ (corr + 1e-3 * eye) - eye).abs().amax().item()
        print("RESIDUAL", error)
    """
)


def test_batched_precision_matrices_are_right_with_threads_set():
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300
    )
    # MKL writes its complaints to stdout; only our own lines count.
    residuals = [
        float(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("RESIDUAL")
    ]
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(residuals) == 5
    assert max(residuals) < 1e-3


@pytest.mark.parametrize("shape", [(3, 5, 5), (2, 2, 4, 4), (6, 6), (0, 3, 3)])
def test_inverse_matches_torch_on_any_batch_shape(shape):
    g = torch.Generator().manual_seed(1)
    a = torch.randn(*shape, generator=g, dtype=torch.float64)
    a = a @ a.transpose(-1, -2) + torch.eye(shape[-1], dtype=torch.float64)
    assert inverse(a).shape == a.shape
    assert torch.allclose(inverse(a), torch.linalg.inv(a))
