"""Command line: ``python -m skcausal {pretrain,benchmark,discover}`` (also ``skcausal ...``)."""

from __future__ import annotations

import argparse


def _run_pretrain(args):
    from skcausal.pretraining import pretrain

    path = pretrain(
        args.config,
        out=args.out,
        steps=args.steps,
        time_budget=args.hours * 3600 if args.hours else None,
        resume=args.resume,
        device=args.device,
        num_workers=args.workers,
        init_from=args.init_from,
        threads=args.threads or None,
        random_state=args.seed,
    )
    if path is not None:
        print(f"checkpoint: {path}")


def _run_benchmark(args):
    from skcausal.cli._benchmark import main as benchmark_main

    benchmark_main(args)


def _run_discover(args):
    from skcausal.cli._discover import main as discover_main

    return discover_main(args)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """States every option's default: argparse's "(default: X)" unless the help already says
    what happens by default (options whose default is None or off say it in words); keeps the
    description's paragraphs."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.required:
            return f"{text} (required)"
        unstated = action.default is None or action.default is False
        if "default" in text or unstated or action.default is argparse.SUPPRESS:
            return text
        return f"{text} (default: %(default)s)"


_METHODS = "zeroshot,pc,ges,notears,gies"

_DISCOVER_HELP = """\
Learn a causal graph from a CSV file (or run the Sachs benchmark, the default --data) with each
method of --methods, print each one's edges and a summary. Every method runs even when another
fails; the exit status is 0 when all ran, 1 when some failed, 2 for bad input or options. Without
--out nothing is written: the edges are only printed.

Scores: each method's edge score is named in its table (the zero-shot model's is a probability;
PC, GES and GIES give CPDAG marks, 1 directed and 0.5 undirected; NOTEARS a weight score
|W| / (|W| + w_threshold)). With --out, per method: METHOD_edges.csv (every ordered pair: source,
target, in_graph, undirected, score, score_name, frequency and bootstrap_score with
--bootstrap, coef),
METHOD_graph.graphml, METHOD_graph.json and METHOD_graph.png."""


def _add_pretrain(commands):
    p = commands.add_parser(
        "pretrain",
        help="train the zero-shot model on simulated SCMs",
        formatter_class=_HelpFormatter,
    )
    p.add_argument(
        "--config", help="JSON file with a TrainConfig (default: the built-in configuration)"
    )
    p.add_argument("--out", required=True, help="folder for checkpoints, resume file, log and plot")
    p.add_argument(
        "--hours",
        type=float,
        help="stop after this many hours, writing a checkpoint (default: no time limit)",
    )
    p.add_argument(
        "--steps", type=int, help="stop at this step (default: the config's schedule length)"
    )
    p.add_argument(
        "--resume", help="resume.pt (or its folder) of the run to continue (default: a new run)"
    )
    p.add_argument(
        "--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N or mps"
    )
    p.add_argument(
        "--init-from",
        default=None,
        help="start a new run from this checkpoint's weights, same model config (default: "
        "random weights)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="simulate the data in this many worker processes (0: in the training process)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads of the training process (0: torch's default without workers, "
        "else the cores less one per worker)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the run")
    p.set_defaults(run=_run_pretrain)


def _add_benchmark(commands):
    b = commands.add_parser(
        "benchmark",
        help="score methods on a named benchmark suite",
        formatter_class=_HelpFormatter,
    )
    b.add_argument(
        "--suite",
        default="standard",
        help="smoke, standard, large, sachs, sachs-bnlearn or structures",
    )
    b.add_argument("--methods", default=_METHODS, help="comma-separated methods among " + _METHODS)
    b.add_argument("--out", required=True, help="folder for results.csv, results.md and plots")
    b.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="draws of each synthetic dataset (default: 3; fixed data such as Sachs: 1)",
    )
    b.add_argument("--seed", type=int, default=0, help="seed of the datasets")
    b.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per fit before 'timeout' (default: no limit)",
    )
    b.add_argument(
        "--n-jobs", type=int, default=1, help="fits run at the same time (-1: all cores)"
    )
    b.add_argument(
        "--checkpoint",
        default=None,
        help="weights for the zeroshot method (default: the shipped checkpoint)",
    )
    b.set_defaults(run=_run_benchmark)


def _threshold(text):
    """--threshold's value: "f1" or a number in [0, 1]."""
    if text == "f1":
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number in [0, 1] or f1, got {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1] or f1, got {text!r}")
    return value


def _add_discover(commands):
    d = commands.add_parser(
        "discover",
        help="discover a causal graph (default: the Sachs data)",
        description=_DISCOVER_HELP,
        formatter_class=_HelpFormatter,
    )
    d.add_argument("--data", default="sachs", help="'sachs' or a CSV file with a header row")
    d.add_argument(
        "--methods",
        default=_METHODS,
        help="comma-separated methods, run in this order, among " + _METHODS,
    )
    d.add_argument(
        "--out",
        default=None,
        help="folder for the outputs: per method the graph (GraphML, JSON), the edge table "
        "METHOD_edges.csv (every ordered pair with its score, score_name, bootstrap frequency "
        "and coef) and the picture (PNG) (default: none; nothing is written, the edges are "
        "only printed)",
    )
    d.add_argument(
        "--sep",
        default=None,
        help="the CSV's separator, e.g. ';' or '\\t' for a tab (default: detected among , ; tab |)",
    )
    d.add_argument("--decimal", default=".", help="the CSV's decimal mark, e.g. ','")
    d.add_argument(
        "--index-col",
        default=None,
        help="a column (name, or position from 0) holding row labels, not a variable; for "
        "--data and --mask (default: none; every column is a variable, and a first column that "
        "looks like a saved pandas index gets a warning)",
    )
    d.add_argument(
        "--mask",
        default=None,
        help="CSV of the intervention mask (True/False or 1/0), same columns as --data "
        "(default: none; every row observational)",
    )
    d.add_argument(
        "--environments",
        default=None,
        metavar="COLUMN",
        help="a column of --data holding each row's environment (condition, batch); it is "
        "removed from the variables. zeroshot and pc use it; the other methods pool the rows "
        "(default: none)",
    )
    d.add_argument(
        "--reference-environment",
        default=None,
        metavar="LABEL",
        help="the label of the observational environment (default: none; no environment is "
        "assumed observational)",
    )
    d.add_argument(
        "--knowledge",
        default=None,
        help='JSON background knowledge: {"required": [[cause, effect], ...], '
        '"forbidden": [...], "tiers": [[...], ...]} with column names (default: none)',
    )
    d.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="METHOD.NAME=VALUE",
        help="a method's parameter, e.g. pc.alpha=0.01 or notears.lambda1=0.05; repeat for "
        "more. VALUE is a Python literal, else a string (default: each method's defaults)",
    )
    d.add_argument(
        "--threshold",
        type=_threshold,
        default=None,
        help="edge-probability threshold of the zeroshot method, a number in [0, 1] or f1 (the "
        "cutoff that maximises the expected F1 score; see ZeroShotCausalDiscovery) "
        "(default: 0.5)",
    )
    d.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        help="bootstrap resamples for the edge frequencies and mean scores; the main answer "
        "stays the full-data fit (0: none)",
    )
    d.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples")
    d.add_argument(
        "--verbose",
        action="store_true",
        help="a progress bar over the methods, verbose estimators where they offer it, and "
        "the traceback of a failure (default: off)",
    )
    d.set_defaults(run=_run_discover)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m skcausal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_pretrain(commands)
    _add_benchmark(commands)
    _add_discover(commands)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (0: done, 1: some discover method failed).
    Bad input or options exit with status 2 and a one-line message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
    except (ValueError, MemoryError, FileNotFoundError) as err:
        # Bad input or configuration: the message says what is wrong; a traceback would bury it.
        parser.exit(2, f"error: {err}\n")
    return status or 0
