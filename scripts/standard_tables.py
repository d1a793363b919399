"""Per family and regime tables of a benchmark run, as in docs/benchmarks.md and the model card.

    python scripts/standard_tables.py docs/benchmarks/standard/results.csv

Prints two Markdown tables of mean AUPRC (finished fits in brackets) and mean SHD per method: one
over the datasets that every method finished, one over all datasets (each method averaged over the
fits it finished).
"""

import sys

import pandas as pd

from skcausal.benchmark import markdown_table


def table(results):
    results = results.assign(
        regime=results["interventional"].map({True: "interventional", False: "observational"})
    )
    ok = results[results["status"] == "ok"]
    methods = list(dict.fromkeys(results["method"]))
    grouped = ok.groupby(["family", "regime", "method"])
    auprc, shd, count = grouped["auprc"].mean(), grouped["shd"].mean(), grouped.size()
    header = ["family", "regime"] + [f"{m} AUPRC" for m in methods] + [f"{m} SHD" for m in methods]
    rows = []
    for family, regime in results[["family", "regime"]].drop_duplicates().itertuples(index=False):
        key = [(family, regime, m) for m in methods]
        rows.append(
            [family, regime]
            + [f"{auprc.get(k, float('nan')):.3f} ({count.get(k, 0)})" for k in key]
            + [f"{shd.get(k, float('nan')):.1f}" for k in key]
        )
    return markdown_table(header, rows, align=["left", "left"] + ["right"] * (2 * len(methods)))


def main(path):
    results = pd.read_csv(path)
    finished = results.groupby(["dataset", "repeat"])["status"].transform(
        lambda s: (s == "ok").all()
    )
    n_common = results[finished][["dataset", "repeat"]].drop_duplicates().shape[0]
    print(f"On the {n_common} datasets every method finished:\n")
    print(table(results[finished]))
    print("\nOn all datasets (each method over the fits it finished):\n")
    print(table(results))


if __name__ == "__main__":
    main(sys.argv[1])
