"""The ``omxval`` command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from ... import __version__
from ...errors import InputError, InputTypeError, OmxvalError
from ..studies.verdicts import DEFAULT_FAIL_ON, check_fail_on

STUDY_HELP = {
    "point": "linear vs full quantum at the design point: every element of V, means, "
             "photon/phonon numbers, Gaussian and exact E_N, non-Gaussianity, diagnostics",
    "converge": "truncation convergence: refine each Fock cutoff in turn; verdict "
                "converged / marginal / not converged",
    "linearization": "nonlinear model on a G0 ladder at fixed (detuning, |G|): power-law "
                     "exponents and the G0 -> 0 limit",
    "nonreciprocity": "E_N against detuning for both drive directions and both baths: "
                      "Gaussian curves with full-quantum points",
    "validity": "a small validity map around the design point: where the Gaussian E_N "
                "holds (the report's section; omxval map draws larger ones)",
}


#: The studies that run on a model of your own (``--model FILE``).
MODEL_STUDIES = ("report", "point", "converge", "linearization", "validity")


def _verdict_exit(rows: list[tuple[str, str]], fail_on: tuple[str, ...]) -> int:
    """Print the verdict table (the last thing on the terminal) and return the exit code."""
    width = max(len(q) for q, _ in rows)
    print("\n".join(f"{q:<{width}}  {v}" for q, v in rows))
    failed = [v for _, v in rows if v in fail_on]
    if failed:
        print(f"failing verdict(s): {', '.join(dict.fromkeys(failed))} (exit 1; --fail-on "
              f"chooses which verdicts fail)", file=sys.stderr)
        return EXIT_VERDICT
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    from .config import load_config, to_toml

    sys.stdout.write(to_toml(load_config(args.config)))
    return EXIT_OK


def _paper(args: argparse.Namespace) -> int:
    from .paper_report import write_paper_report
    from .display import stderr_progress

    out = write_paper_report(args.out, J_fig_over_kappa=args.J_over_kappa,
                             chi_points=args.chi_points,
                             progress=None if args.quiet else stderr_progress)
    print(f"{out}/index.md")
    return EXIT_OK


def _paper_device(args: argparse.Namespace) -> int:
    from ..studies.paper_device import POINT_NAMES
    from .display import stderr_progress
    from .paper_device_report import NothingToReport, write_paper_device_report

    points = tuple(p.strip() for p in args.points.split(",")) if args.points else POINT_NAMES
    unknown = [p for p in points if p not in POINT_NAMES]
    if unknown:
        raise InputError(f"--points: unknown operating point(s) {unknown}; valid: "
                         f"{', '.join(POINT_NAMES)}")
    kw = {"G0": tuple(args.G0)} if args.G0 else {}
    fail_on = check_fail_on(args.fail_on.split(","))
    try:
        out = write_paper_device_report(args.out, engine=args.map or "parallel",
                                        num_cpus=args.num_cpus or None, points=points,
                                        progress=None if args.quiet else stderr_progress,
                                        compute=not (args.cached_only or args.direct_only),
                                        direct=args.direct or args.direct_only, **kw)
    except NothingToReport as empty:  # not a failure, not a verdict: nothing was written
        print(f"omxval paper-device: {empty}", file=sys.stderr)
        return EXIT_OK
    print(f"{out}/index.md")
    return _verdict_exit(_read_verdicts(out), fail_on)


def _read_verdicts(out) -> list[tuple[str, str]]:
    """(question, verdict) rows of the ``verdicts.csv`` a command just wrote."""
    import pandas as pd

    verdicts = pd.read_csv(f"{out}/verdicts.csv")
    return list(zip(verdicts["question"], verdicts["verdict"]))


def _studies(args: argparse.Namespace) -> int:
    from .config import load_config
    from .display import stderr_progress
    from .report import STUDIES, write_report
    studies = tuple(STUDIES) if args.command == "report" else (args.command,)
    cfg = _with_workers(load_config(args.config, model=getattr(args, "model", None)), args)
    fail_on = check_fail_on(args.fail_on.split(","))
    if cfg.model.file:  # a model of your own: its own report (docs/models.md)
        from .model_report import MODEL_STUDIES as ON_MODEL, write_model_report
        out = write_model_report(
            args.out or f"reports/{'validation' if args.command == 'report' else args.command}",
            cfg, studies=ON_MODEL if args.command == "report" else studies,
            progress=None if args.quiet else stderr_progress)
        print(f"{out}/index.md")
        return _verdict_exit(_read_verdicts(out), fail_on)
    out = write_report(args.out or f"reports/{'validation' if args.command == 'report' else args.command}",
                       cfg, studies=studies,
                       progress=None if args.quiet else stderr_progress,
                       paper_link="../paper/index.md" if args.command == "report" else None,
                       paper_device=args.command == "report")
    print(f"{out}/index.md")
    return _verdict_exit(_read_verdicts(out), fail_on)


def _with_workers(cfg, args: argparse.Namespace):
    """``cfg`` with ``--map`` and ``--num-cpus`` applied to ``[solver]``."""
    import dataclasses

    changes = {k: v for k, v in (("engine", args.map), ("num_cpus", args.num_cpus))
               if v is not None}
    return dataclasses.replace(cfg, solver=dataclasses.replace(cfg.solver, **changes)) \
        if changes else cfg


def _add_model(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="FILE",
                        help="your own model file (TOML, docs/models.md; presets in "
                             "examples/models/): the study runs on it instead of [design] "
                             "(same as [model] file in --config)")


def _add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fail-on", default=",".join(DEFAULT_FAIL_ON), metavar="VERDICTS",
                        help="comma-separated verdicts that make the exit code 1, or 'none' "
                             "(default: %(default)s)")


def _add_workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--map", choices=("serial", "parallel", "loky", "mpi"), default=None,
                        help="engine that runs the full-quantum points (default: [solver] "
                             "engine, parallel)")
    parser.add_argument("--num-cpus", type=int, default=None, metavar="N",
                        help="workers (default: [solver] num_cpus; 0: every core)")


def _shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N (e.g. 0/4); got {text!r}") from None
    if not (n >= 1 and 0 <= i < n):
        raise argparse.ArgumentTypeError(f"I/N needs 0 <= I < N; got {text!r}")
    return i, n


def _map(args: argparse.Namespace) -> int:
    from .config import load_config
    from .map_report import merge_maps, write_map_report
    from .display import stderr_progress

    say = None if args.quiet else stderr_progress
    fail_on = check_fail_on(args.fail_on.split(","))
    if args.merge:
        if args.config or args.shard != (0, 1):
            raise InputError("--merge takes the map from the shards' outputs; do not give "
                             "--config or --shard with it")
        result = merge_maps(args.out, args.merge, progress=say)
    else:
        cfg = _with_workers(load_config(args.config, model=args.model), args)
        result = write_map_report(args.out, cfg.map_spec(), **cfg.solver.workers(),
                                  shard=args.shard, progress=say,
                                  configuration=cfg.to_dict(),
                                  allow_large=args.allow_large_grid)
    v = result.verdict()
    print(f"{result.path}/index.md")
    print(f"Gaussian E_N within 1 %: {v['within_1']} of {v['judged']} converged points; "
          f"within 10 %: {v['within_10']}; statuses: "
          + ", ".join(f"{k} {n}" for k, n in sorted(v["counts"].items())))
    if v["advice"]:
        print(f"next step: {v['advice']}")
    return _verdict_exit([("where the Gaussian E_N holds (validity map)", v["word"])],
                         fail_on)


def _device(args: argparse.Namespace) -> int:
    from .config import load_config
    from .device_report import DEFAULT_S, write_device_report
    from .display import stderr_progress

    cfg = _with_workers(load_config(args.config, model=args.model), args)
    fail_on = check_fail_on(args.fail_on.split(","))
    write_device_report(args.out, cfg, s=tuple(args.s) if args.s else DEFAULT_S,
                        **cfg.solver.workers(),
                        progress=None if args.quiet else stderr_progress)
    print(f"{args.out}/index.md")
    return _verdict_exit(_read_verdicts(args.out), fail_on)


def _model(args: argparse.Namespace) -> int:
    from ...linear import Model
    from ...linear.modelgauss import analyze_branches
    from .model_text import model_summary

    model = Model.from_toml(args.file)
    print(model_summary(model, analyze_branches(model)))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``omxval`` (one sub-command per job)."""
    parser = argparse.ArgumentParser(
        prog="omxval", epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Cross-validate the Gaussian and full-quantum models of the spinning "
                    "optomechanical resonator of Jiao et al., PRL 125, 143605 (2020); "
                    "`omxval model FILE` gives the Gaussian description of any "
                    "optomechanical model you write in a model file (docs/models.md).")
    parser.add_argument("--version", action="version", version=f"omxval {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("paper", help="reproduce the paper's Fig. 2 and Fig. 3 (Gaussian model)",
                       description="Write Fig. 2 and Fig. 3 (PNG + CSV per panel) and a "
                                   "Markdown page comparing the reproduced numbers with the "
                                   "paper's claims. Takes about 15 s.")
    p.add_argument("--out", default="reports/paper", help="output directory: created, or "
                   "replaced whole if omxval wrote it; anything else is refused "
                   "(default: %(default)s)")
    p.add_argument("--J-over-kappa", type=float, default=1.8, metavar="X",
                   help="backscattering J/κ used to draw Fig. 3(a-e); the paper does not "
                        "state it (default: %(default)s, where the ~2.5x claim holds for the cw "
                        "drive; the report gives each drive's interval)")
    p.add_argument("--chi-points", type=int, default=31, metavar="N",
                   help="points per axis of the χ(J, Ω) map (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(run=_paper)

    d = sub.add_parser(
        "paper-device", help="the paper's own device in full quantum: G0 ladder at the "
                             "paper's optima, extrapolated to its G0 (hours; resumable)",
        description="The nonlinear full-quantum model at the paper's exact dimensionless "
                    "operating points (Fig. 2 optima for both drives and Ω = 0, a Fig. 3 "
                    "point with backscattering) with G0 raised to 0.01-0.1 ω_m; the "
                    "approximation error of the Gaussian E_N is fitted against G0 and "
                    "extrapolated to the paper's G0 (docs/paper_device.md). About 8 min per "
                    "row on one core; finished rows are kept in <out>.cache.jsonl, so a "
                    "rerun resumes.")
    d.add_argument("--out", default="reports/paper_device", help="output directory "
                   "(default: %(default)s)")
    d.add_argument("--points", metavar="NAMES", help="comma-separated operating points "
                   "(default: all)")
    d.add_argument("--G0", type=float, nargs="+", metavar="G0",
                   help="the G0 ladder in units of ω_m (default: 0.01 ... 0.1)")
    _add_workers(d)
    _add_fail_on(d)
    d.add_argument("--cached-only", action="store_true",
                   help="compute nothing: report the rows already in <out>.cache.jsonl and "
                        "list the missing ones (a report while a long run proceeds); with "
                        "none cached it says 'nothing to report', writes nothing and exits 0")
    d.add_argument("--direct", action="store_true",
                   help="also compute each point's c2 directly by perturbation theory in G0 "
                        "(docs/perturbative.md §11: three linear solves at converged cutoffs, "
                        "minutes per point), shown beside the ladder's fit; where they agree "
                        "the verdict needs no extrapolation")
    d.add_argument("--direct-only", action="store_true",
                   help="compute only the direct c2 (no ladder row: those in "
                        "<out>.cache.jsonl are reported)")
    d.add_argument("--quiet", action="store_true", help="no progress messages")
    d.set_defaults(run=_paper_device)

    m = sub.add_parser(
        "map", help="validity map: where the Gaussian E_N holds, over two design parameters",
        description="Full-quantum (nonlinear) against Gaussian E_N on a 2-D grid of design "
                    "parameters, cutoffs converged per point. Writes map.csv, map.png and "
                    "index.md; finished points are kept, so a rerun after a kill resumes. "
                    "Grid and model: the [map] section of --config.")
    m.add_argument("--config", metavar="TOML", help="TOML file overriding the built-in "
                   "configuration ([map] axes and model, [design] the fixed parameters, "
                   "[solver])")
    m.add_argument("--out", default="reports/map", help="output directory (default: "
                   "%(default)s); rerun with the same --out to resume")
    _add_workers(m)
    _add_fail_on(m)
    m.add_argument("--shard", type=_shard, default=(0, 1), metavar="I/N",
                   help="compute only points I, I+N, I+2N, ... (cluster job arrays)")
    m.add_argument("--merge", nargs="+", metavar="DIR", help="join the outputs of sharded "
                   "runs into --out (computes nothing)")
    _add_model(m)
    m.add_argument("--allow-large-grid", action="store_true",
                   help="run a grid of more than 10000 points (each point is a full-quantum "
                        "solve: seconds to minutes)")
    m.add_argument("--quiet", action="store_true", help="no progress messages")
    m.set_defaults(run=_map)

    dv = sub.add_parser(
        "device", help="my device: the approximation error of the Gaussian E_N of your model "
                       "at its real g0, from a ladder of the nonlinearity scale s (resumable)",
        description="The nonlinear full-quantum model of your model file on a ladder "
                    "model.scaled(s) (every g0 × s, drive ÷ s: the Gaussian model is the same), "
                    "cutoffs converged per row; the approximation error is fitted with "
                    "c2·s² + c4·s⁴ and predicted at s = 1 with its band (docs/models.md §8). "
                    "Rows are kept in <out>.cache.jsonl: a rerun resumes. The paper's device: "
                    "--model examples/models/paper_device_fig2_ccw.toml.")
    dv.add_argument("--model", required=True, metavar="FILE", help="your model file (TOML)")
    dv.add_argument("--s", type=float, nargs="+", metavar="S",
                    help="the ladder (default: 1000 560 320 180 100); at least 3 values")
    dv.add_argument("--config", metavar="TOML", help="[solver] and [map] criteria, "
                    "[model] branch and pairs")
    dv.add_argument("--out", default="reports/device", help="output directory "
                    "(default: %(default)s)")
    _add_workers(dv)
    _add_fail_on(dv)
    dv.add_argument("--quiet", action="store_true", help="no progress messages")
    dv.set_defaults(run=_device)

    config_help = ("TOML file overriding any part of the built-in configuration (sections "
                   "design, solver, point, converge, linearization, nonreciprocity, validity, "
                   "map; `omxval config` prints every key with its default); unknown keys are "
                   "an error")
    mo = sub.add_parser(
        "model", help="your own model: print it, every mean-field branch with its stability, "
                      "and the Gaussian E_N of every pair of modes",
        description="Read a model file (TOML: [modes.NAME] tables and [[couplings]]; "
                    "docs/models.md), print the model, every mean-field branch with its "
                    "stability, and the Gaussian E_N of every pair of modes. A bad file is "
                    "one line naming the table and key, and exit 2. Presets: "
                    "examples/models/*.toml.")
    mo.add_argument("file", metavar="FILE", help="the model file (TOML)")
    mo.set_defaults(run=_model)

    c = sub.add_parser("config", help="print the configuration (every key, its default) as "
                                      "TOML",
                       description="Print the full configuration as TOML: the built-in "
                                   "defaults, or those overridden by --config. Save it, edit "
                                   "it and pass it back with --config.")
    c.add_argument("--config", metavar="TOML", help="print this configuration merged into "
                                                    "the defaults")
    c.set_defaults(run=_config)
    for name, text in (("report", "run every study and write the validation report "
                                  "(reports/validation/)"), *STUDY_HELP.items()):
        q = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        q.add_argument("--config", metavar="TOML", help=config_help)
        q.add_argument("--out", help="output directory: created, or replaced whole if omxval wrote it; "
                       "anything else is refused (default: "
                       f"reports/{'validation' if name == 'report' else name})")
        _add_workers(q)
        _add_fail_on(q)
        if name in MODEL_STUDIES:
            _add_model(q)
        q.add_argument("--quiet", action="store_true", help="no progress messages")
        q.set_defaults(run=_studies)
    return parser


EXIT_OK, EXIT_VERDICT, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED = \
    0, 1, 2, 3, 4, 130

EXIT_CODES_HELP = """configuration: `omxval config` prints every key with its default (TOML);
  edit a copy and pass it with --config.

exit codes:
  0    the report was written and every verdict passes (or `paper-device --cached-only`
       found nothing to report, and wrote nothing)
  1    the report was written, and a verdict named by --fail-on came out (default:
       {fail_on})
  2    bad input: invalid option or configuration, or an output location that is refused
       (not an omxval report, a file, '.', the home directory, a folder holding .git,
       another map's output), not writable or too full; checked before any computation,
       nothing is changed
  3    a computation failed (memory refusal, solver not converged, a worker process lost)
       or writing failed (e.g. disk full); the previous report, if any, is left untouched
       and finished map points stay in the journal
  4    internal error: a bug in omxval. One line names it and the file holding the
       traceback; please report both
  130  interrupted (Ctrl-C or SIGTERM); the previous report is left untouched, finished
       map and paper-device points are kept and a rerun resumes
mpi:   `mpiexec -n N omxval map --map mpi ...`: rank 0 runs the command, the other N-1
       ranks compute its points
verdicts: defined in every report's "How to read this report" and in docs/verdicts.md""".format(
    fail_on=", ".join(DEFAULT_FAIL_ON))


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt  # run the cleanups of the open output directory


def _failure(exc: BaseException) -> tuple[int, str]:
    """Exit code and one-line message for an exception that ends a command.

    Only omxval's own errors are "bad input" (2) or documented failures (3); anything else
    is a bug (4), never reported as the user's fault.
    """
    from ...fullquantum import MemoryBudgetError, SteadyStateConvergenceError
    from .output import WriteFailure

    if isinstance(exc, (InputError, InputTypeError)):  # OutputLocationError too
        return EXIT_BAD_INPUT, str(exc)
    if isinstance(exc, MemoryBudgetError):
        return EXIT_FAILED, str(exc)
    if isinstance(exc, MemoryError):
        return EXIT_FAILED, "out of memory; use smaller cutoffs or a lower memory budget"
    if isinstance(exc, SteadyStateConvergenceError):
        return EXIT_FAILED, f"the steady-state solver did not converge: {exc}"
    if isinstance(exc, WriteFailure):
        return EXIT_FAILED, str(exc)
    if isinstance(exc, OmxvalError):
        return EXIT_FAILED, str(exc)
    return EXIT_INTERNAL, _internal_error(exc)


def _internal_error(exc: BaseException) -> str:
    """Write the traceback to a file of its own; the one line that names it."""
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    try:
        fd, path = tempfile.mkstemp(prefix="omxval-traceback-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"omxval {__version__}, {' '.join(sys.argv)}\n\n{text}")
        where = f"the traceback is in {path}"
    except OSError:  # nowhere to write it: print it
        sys.stderr.write(text)
        where = "the traceback is above"
    return (f"internal error (a bug in omxval, not in your input): {type(exc).__name__}: "
            f"{exc}; {where}. Please report it")


def _resume_note(args: argparse.Namespace) -> str:
    """What an interrupted command kept, for its last line."""
    journal = None
    if args.command == "map" and not getattr(args, "merge", None):
        from .map_report import journal_path

        journal = journal_path(args.out)
    elif args.command == "paper-device":
        from .paper_device_report import default_cache

        journal = default_cache(args.out)
    note = "the previous report, if any, is untouched"
    if journal is not None and journal.is_file() and journal.stat().st_size > 0:
        note += (f"; finished points are kept in {journal} and rerunning the same command "
                 f"resumes")
    return note


def _mpi_launch() -> tuple[int, int]:
    """(rank, size) of an MPI launch, read from the launcher's environment (no MPI call);
    (0, 1) outside one."""
    env = os.environ
    for rank, size in (("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),  # Open MPI
                       ("PMI_RANK", "PMI_SIZE"),  # MPICH (Hydra), Intel MPI, Slurm PMI
                       ("MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE")):  # MVAPICH
        try:
            return int(env[rank]), int(env[size])
        except (KeyError, ValueError):
            continue
    return 0, 1


def _under_mpi(args: argparse.Namespace, rank: int, size: int) -> int:
    """Run a command started by ``mpiexec -n N`` (N > 1): rank 0 leads, the others serve.

    Every rank decides from the launcher's environment alone, before MPI starts or any file
    is touched: either all ranks refuse at once, or all start MPI (no rank waits in
    MPI_Init for one that already left).
    """
    def refuse(message: str) -> int:
        if rank == 0:
            print(f"omxval {args.command}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if getattr(args, "map", None) != "mpi" or getattr(args, "merge", None):
        return refuse(f"started by mpiexec with {size} ranks, but only the points of a "
                      f"command run with --map mpi can be shared out. Run `mpiexec -n {size} "
                      f"omxval {args.command} --map mpi ...`, or run omxval without mpiexec")
    futures = sys.modules.get("mpi4py.futures._core")
    if futures is not None and getattr(futures, "SharedPool", None) is not None:
        # `mpiexec -n N python -m mpi4py.futures -m omxval ...`: ranks 1 ... N-1 already
        # serve mpi4py's shared pool, which the "mpi" engine uses; this is rank 0.
        return _run(args)
    try:
        from mpi4py import MPI
        from mpi4py.futures import MPICommExecutor
    except ImportError:
        return refuse("--map mpi needs mpi4py and an MPI library: pip install 'omxval[mpi]'")
    from ..studies.maps import mpi_world

    with MPICommExecutor(MPI.COMM_WORLD, root=0) as executor:
        if executor is None:  # a worker rank: it computed points until rank 0 finished
            return EXIT_OK
        with mpi_world(executor, size - 1):
            return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the command; every exception becomes its exit code and one line."""
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"omxval {args.command}: interrupted; {_resume_note(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # one clear line; a bug's traceback goes to a file
        code, message = _failure(exc)
        print(f"omxval {args.command}: error: {message}", file=sys.stderr)
        return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``omxval`` console script (exit codes: see ``--help``)."""
    args = build_parser().parse_args(argv)
    rank, size = _mpi_launch()
    try:
        os.getcwd()
    except FileNotFoundError:
        if rank == 0:
            print(f"omxval {args.command}: error: the current directory no longer exists "
                  f"(it was deleted); cd to an existing directory and run again",
                  file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command != "config":  # the command line, and only it, picks the backend
        import matplotlib

        matplotlib.use("Agg")
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _under_mpi(args, rank, size) if size > 1 else _run(args)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
