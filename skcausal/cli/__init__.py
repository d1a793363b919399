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

    discover_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m skcausal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("pretrain", help="train the zero-shot model on simulated SCMs")
    p.add_argument("--config", help="JSON file with a TrainConfig (default: the built-in one)")
    p.add_argument("--out", required=True, help="folder for checkpoints, resume file, log and plot")
    p.add_argument(
        "--hours", type=float, help="stop after this many hours (a checkpoint is written)"
    )
    p.add_argument(
        "--steps", type=int, help="stop at this step (default: the config's schedule length)"
    )
    p.add_argument("--resume", help="resume.pt (or its folder) of the run to continue")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    p.add_argument(
        "--init-from",
        default=None,
        help="start a new run from this checkpoint's weights (same model config)",
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
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_run_pretrain)

    b = commands.add_parser("benchmark", help="score methods on a named benchmark suite")
    b.add_argument("--suite", default="standard")
    b.add_argument("--methods", default="zeroshot,pc,ges,notears,gies")
    b.add_argument("--out", required=True)
    b.add_argument("--repeats", type=int, default=None)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument(
        "--time-limit", type=float, default=None, help="seconds per fit before 'timeout'"
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

    d = commands.add_parser("discover", help="discover a causal graph (default: the Sachs data)")
    d.add_argument("--data", default="sachs", help="'sachs' or a CSV file with a header row")
    d.add_argument("--methods", default="zeroshot,pc,ges,notears,gies")
    d.add_argument(
        "--out",
        default=None,
        help="folder for the outputs: per method the graph (GraphML, JSON), the edge table "
        "(CSV, probabilities and bootstrap frequencies) and the picture (PNG)",
    )
    d.add_argument(
        "--mask",
        default=None,
        help="CSV of the intervention mask (True/False or 1/0), same columns as --data",
    )
    d.add_argument(
        "--knowledge",
        default=None,
        help='JSON background knowledge: {"required": [[cause, effect], ...], '
        '"forbidden": [...], "tiers": [[...], ...]} with column names',
    )
    d.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="edge-probability threshold of the zeroshot method (default 0.5)",
    )
    d.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        help="bootstrap resamples for the edge frequencies (default 0: none)",
    )
    d.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples")
    d.set_defaults(run=_run_discover)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (ValueError, MemoryError, FileNotFoundError) as err:
        # Bad input or configuration: the message says what is wrong; a traceback would bury it.
        parser.exit(2, f"error: {err}\n")
