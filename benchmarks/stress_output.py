"""Stress of concurrent report writers (run on demand): ROUNDS × 4 processes released by a
barrier each write the same output directory through OutputDirectory.

    python benchmarks/stress_output.py /tmp/omxval-stress 150

Prints the number of swaps, failures (expected 0: each writer swaps in a whole report under
the parent-directory lock; the last one wins) and leftovers of omxval's staging folders
(expected none). The issue that motivated it measured 230 failures in 600 swaps.
"""
import multiprocessing as mp
import sys
import time
from pathlib import Path
from omxval.compare.app.output import OutputDirectory

def writer(target, barrier, i, q):
    try:
        barrier.wait()
        with OutputDirectory(target, kind="stress") as out:
            (out.path / "index.md").write_text(f"w{i}")
            (out.path / "a.csv").write_text("x" * 1000)
        q.put(("ok", i))
    except BaseException as e:
        q.put(("fail", repr(e)))

if __name__ == "__main__":
    root = Path(sys.argv[1]); root.mkdir(exist_ok=True)
    target = root / "r"
    ctx = mp.get_context("fork"); q = ctx.Queue()
    rounds, n = int(sys.argv[2]), 4
    fails = 0; t = time.perf_counter()
    for r in range(rounds):
        b = ctx.Barrier(n)
        ps = [ctx.Process(target=writer, args=(target, b, i, q)) for i in range(n)]
        [p.start() for p in ps]; [p.join() for p in ps]
        res = [q.get() for _ in range(n)]
        fails += sum(1 for k, _ in res if k != "ok")
        assert (target / "index.md").read_text().startswith("w")
        assert sorted(p.name for p in target.iterdir()) == ["a.csv", "index.md", "metadata.json"]
    left = [p.name for p in root.iterdir() if "omxval-" in p.name]
    print(f"{rounds*n} synchronised swaps: {fails} failures, leftovers {left}, {time.perf_counter()-t:.1f} s")
