"""The training log: one CSV row per validation, and a PNG of the curves."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from skcausal._files import atomic_write


class TrainingLog:
    """``log.csv`` and ``training.png`` in the run's folder; rewritten whole (and atomically) each
    time."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.csv_path = self.folder / "log.csv"
        self.png_path = self.folder / "training.png"
        self.rows = []
        self.phase_starts = []  # steps where a resumed phase of the run began (dotted lines)
        if self.csv_path.exists():
            with open(self.csv_path, newline="") as f:
                self.rows = [
                    {k: float(v) if v != "" else math.nan for k, v in row.items()}
                    for row in csv.DictReader(f)
                ]

    def truncate(self, step):
        """Forget rows after ``step`` (a resumed run repeats them)."""
        self.rows = [row for row in self.rows if row["step"] <= step]

    def append(self, row):
        self.rows.append({k: float(v) for k, v in row.items()})
        self.write()

    def write(self):
        fields = []
        for row in self.rows:
            fields += [k for k in row if k not in fields]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(self.rows)
        atomic_write(self.csv_path, lambda tmp: Path(tmp).write_text(buffer.getvalue()))
        self.plot()

    def plot(self):
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        steps = [row["step"] for row in self.rows]
        families = sorted(
            {k.split("/")[0] for row in self.rows for k in row if k.endswith("/auprc")}
        )
        in_distribution = [f for f in families if not f.startswith(("ood", "real"))]
        outside = [f for f in families if f.startswith(("ood", "real"))]
        fig, axes = plt.subplots(
            1, 3 + bool(outside), figsize=(15 + 5 * bool(outside), 4.2), constrained_layout=True
        )
        axes[0].plot(steps, [row.get("loss", math.nan) for row in self.rows], color="black")
        axes[0].set(
            title="training loss (at validation steps)",
            xlabel="step",
            ylabel="binary cross-entropy",
        )

        def curves(ax, names, metric):
            for family in names:
                bold = family.endswith("mean")
                ax.plot(
                    steps,
                    [row.get(f"{family}/{metric}", math.nan) for row in self.rows],
                    label=family,
                    linewidth=2.5 if bold else 1,
                    color="black" if family == "mean" else None,
                )

        curves(axes[1], in_distribution, "auprc")
        axes[1].set(
            title="validation AUPRC, in-distribution", xlabel="step", ylabel="AUPRC", ylim=(0, 1)
        )
        axes[1].legend(loc="lower right", fontsize=7, ncol=2)
        if outside:
            curves(axes[2], outside, "auprc")
            axes[2].set(
                title="validation AUPRC, out-of-distribution and real structures",
                xlabel="step",
                ylabel="AUPRC",
                ylim=(0, 1),
            )
            axes[2].legend(loc="lower right", fontsize=7, ncol=2)
        curves(axes[-1], [f for f in families if f.endswith("mean")], "auroc")
        if any("env-mean/target-auroc" in row for row in self.rows):
            axes[-1].plot(
                steps,
                [row.get("env-mean/target-auroc", math.nan) for row in self.rows],
                linestyle="--",
                color="tab:purple",
                label="env-mean: targets",
            )
        axes[-1].set(
            title="validation AUROC (means per kind)", xlabel="step", ylabel="AUROC", ylim=(0.4, 1)
        )
        axes[-1].axhline(0.5, color="grey", linestyle=":", linewidth=1)
        for i, start in enumerate(self.phase_starts):
            for ax in axes:
                ax.axvline(
                    start,
                    color="tab:red",
                    linestyle="--",
                    linewidth=0.8,
                    label="resumed" if ax is axes[-1] and i == 0 else None,
                )
        axes[-1].legend(loc="lower right", fontsize=8)
        atomic_write(self.png_path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
        plt.close(fig)
