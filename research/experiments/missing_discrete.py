"""Missing cells and discrete columns: the zero-shot model against PC and GES (issue #22's tables).

Every method gets the same table: a DataFrame whose discrete columns are pandas categories
(ordered for ordinal columns), NaN for missing cells. PC and GES choose their test and score from
the data (``indep_test="auto"``, ``score_func="auto"``: Fisher-z, test-wise deletion
(``mv_fisherz``), G-square, BDeu); what each chose is printed with the table. Each row also gives
the same data complete (missing cells) for comparison. AUPRC uses each method's
``edge_probabilities_`` (CPDAG marks for PC and GES), SHD its ``adjacency_``.

Families (``make_scm``, d = 15, n = 1,000, linear and MLP, seeds 0-2):

- ``missing-<mechanism>-<rate>``: 10/30/50% of the cells missing, MCAR, MAR or MNAR;
- ``binary``, ``categorical``: every column discrete (binary; unordered with 4 levels);
- ``mixed``: half the columns ordinal with 4 levels, the rest continuous.

``networks``: the nine development networks of bnlearn sampled with their own probability tables
(pgmpy), n = 1,000 and 5,000. GES is skipped above 40 variables and PC above 110 (time).

    python research/experiments/missing_discrete.py --part simulated
    python research/experiments/missing_discrete.py --part networks --seeds 1
    python research/experiments/missing_discrete.py --part simulated --methods zeroshot \
        --checkpoint runs/v3/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, PC
from skcausal.benchmark import markdown_table
from skcausal.datasets import make_scm, sample_bnlearn
from skcausal.datasets._bnlearn import DEVELOPMENT_NETWORKS
from skcausal.metrics import edge_auprc, structural_hamming_distance

SIMULATED = {
    **{
        f"missing-{m}-{int(r * 100)}": {"missing_rate": r, "missing_mechanism": m}
        for m in ("mcar", "mar", "mnar")
        for r in (0.1, 0.3, 0.5)
    },
    "binary": {"discrete_share": 1.0, "discrete_kind": "binary"},
    "categorical": {"discrete_share": 1.0, "discrete_kind": "categorical", "n_levels": 4},
    "mixed": {"discrete_share": 0.5, "discrete_kind": "ordinal", "n_levels": 4},
}


def _frame(X, kind):
    """The table as a user has it: discrete columns (integer codes, few levels) as categories."""
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and np.all(values == np.round(values)) and values.nunique() <= 10:
            levels = sorted(values.unique())
            frame[column] = pd.Categorical(
                frame[column], categories=levels, ordered=kind == "ordinal"
            )
    return frame


OPTIONS = {"checkpoint": None, "methods": ("zeroshot", "pc", "ges")}


def _methods(d):
    methods = {"zeroshot": ZeroShotCausalDiscovery(checkpoint=OPTIONS["checkpoint"]), "pc": PC()}
    if d > 110:
        del methods["pc"]
    if d <= 40:
        methods["ges"] = GES()
    return {name: est for name, est in methods.items() if name in OPTIONS["methods"]}


def _score(est, A):
    return edge_auprc(A, est.edge_probabilities_), structural_hamming_distance(A, est.adjacency_)


def _choice(est):
    for name in ("indep_test_", "ci_test_", "score_func_"):
        if hasattr(est, name):
            return str(getattr(est, name))
    return ""


def run_simulated(seeds):
    rows = []
    for family, params in SIMULATED.items():
        kind = params.get("discrete_kind")
        for mechanism in ("linear", "mlp"):
            for seed in range(seeds):
                X, _, A = make_scm(1000, 15, mechanism=mechanism, random_state=seed, **params)
                complete = None
                if "missing_rate" in params:
                    complete, _, _ = make_scm(1000, 15, mechanism=mechanism, random_state=seed)
                for name, est in _methods(15).items():
                    start = time.perf_counter()
                    row = {"family": family, "mechanism": mechanism, "seed": seed, "method": name}
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            est.fit(_frame(X, kind))
                            row["auprc"], row["shd"] = _score(est, A)
                            row["choice"] = _choice(est)
                        except ValueError as err:  # e.g. too few complete rows: counted, not hidden
                            row["error"] = str(err)[:80]
                        if complete is not None:
                            est.fit(_frame(complete, kind))
                            row["auprc_complete"], row["shd_complete"] = _score(est, A)
                    row["seconds"] = time.perf_counter() - start
                    rows.append(row)
    return pd.DataFrame(rows)


def run_networks(seeds, networks=DEVELOPMENT_NETWORKS):
    rows = []
    for network in networks:
        for n in (1000, 5000):
            for seed in range(seeds):
                frame, A = sample_bnlearn(network, n, random_state=seed)
                # A state so rare that the sample never shows it leaves a column constant; every
                # method refuses those, so they are dropped for all (with their edges).
                varying = np.flatnonzero(frame.nunique().to_numpy() > 1)
                n_constant = frame.shape[1] - len(varying)
                frame, A = frame.iloc[:, varying], A[np.ix_(varying, varying)]
                for name, est in _methods(frame.shape[1]).items():
                    start = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            est.fit(frame)
                        except ValueError as err:  # e.g. a level seen once: reported, not hidden
                            rows.append({"family": network, "n": n, "method": name, "error": err})
                            continue
                    auprc, shd = _score(est, A)
                    rows.append(
                        {
                            "family": network,
                            "constant_columns_dropped": n_constant,
                            "d": frame.shape[1],
                            "n": n,
                            "seed": seed,
                            "method": name,
                            "auprc": auprc,
                            "shd": shd,
                            "choice": _choice(est),
                            "seconds": time.perf_counter() - start,
                        }
                    )
                    print(rows[-1], file=sys.stderr)
    return pd.DataFrame(rows)


def _cell(values):
    values = values.dropna()
    return f"{values.mean():.3f}" if len(values) else "-"


def report(results) -> str:
    """Mean AUPRC and SHD per family (and n) and method, with the complete data's where there is
    one; then the tests and scores the baselines chose and the fits they refused."""
    keys = ["family", "n"] if "n" in results and results["n"].notna().any() else ["family"]
    methods = list(dict.fromkeys(results["method"]))
    header = keys + [f"{m} AUPRC" for m in methods] + [f"{m} SHD" for m in methods]
    complete = "auprc_complete" in results and results["auprc_complete"].notna().any()
    if complete:
        header += [f"{m} AUPRC, complete data" for m in methods]
    rows = []
    for key, group in results.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        by = {m: group[group["method"] == m] for m in methods}
        row = [str(k) for k in key]
        row += [_cell(by[m]["auprc"]) for m in methods] + [_cell(by[m]["shd"]) for m in methods]
        if complete:
            row += [_cell(by[m]["auprc_complete"]) for m in methods]
        rows.append(row)
    out = [markdown_table(header, rows)]
    if "choice" in results:
        choices = results.dropna(subset=["choice"]).groupby(["method", "choice"]).size()
        out.append("Tests and scores chosen (fits):\n```\n" + choices.to_string() + "\n```")
    if "error" in results and results["error"].notna().any():
        failed = results.dropna(subset=["error"]).groupby(["family", "method"]).size()
        out.append(
            "Fits refused (ValueError; not in the means):\n```\n" + failed.to_string() + "\n```"
        )
    return "\n\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["simulated", "networks"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--csv", help="also write the raw rows here")
    parser.add_argument("--checkpoint", help="the zero-shot model's weights (default: shipped)")
    parser.add_argument("--methods", default="zeroshot,pc,ges", help="comma-separated")
    parser.add_argument("--label", default="zeroshot", help="the zero-shot model's name in tables")
    parser.add_argument("--from-csv", nargs="+", help="print the table of earlier runs' rows")
    parser.add_argument("--networks", help="comma-separated (default: all nine)")
    args = parser.parse_args(argv)
    if args.from_csv:
        print(report(pd.concat([pd.read_csv(path) for path in args.from_csv])))
        return 0
    if args.part is None:
        parser.error("--part is required (or --from-csv)")
    OPTIONS.update(checkpoint=args.checkpoint, methods=tuple(args.methods.split(",")))
    if args.part == "simulated":
        results = run_simulated(args.seeds)
    else:
        names = args.networks.split(",") if args.networks else DEVELOPMENT_NETWORKS
        results = run_networks(args.seeds, names)
    results["method"] = results["method"].replace({"zeroshot": args.label})
    if args.csv:
        results.to_csv(args.csv, index=False)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
