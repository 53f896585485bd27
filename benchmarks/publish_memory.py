"""Peak memory of `decisions publish` as the archive grows: it should not grow with it.

    .venv/bin/python benchmarks/publish_memory.py [N ...]        (default: 200 2000)

For each archive size N: generates N approved records (each the seed paper, three pages, with
a released specification), builds nothing, and runs `decisions publish` in a fresh process,
printing its wall time and its peak resident memory (the process's own ru_maxrss, so
LibreOffice's memory is not counted: it is one process per batch, whatever N is).

LibreOffice is replaced by a stand-in that copies one real PDF for every paper, so that what is
measured is the engine's memory, not two thousand conversions (about 100 ms each): pass --real
to convert for real. The ratio of the largest archive's peak to the smallest's is the figure
that matters: 1.0x means memory does not grow with the archive."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ROOT, make_archive  # noqa: E402

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from engine.project import Project
from engine.publish import publish
started = time.perf_counter()
summary = publish(Project.load(Path(sys.argv[1])))
print(json.dumps({"published": len(summary.published), "failed": len(summary.failed),
                  "seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def stand_in(folder: Path, pdf: Path) -> Path:
    """A `soffice` that writes `pdf` for every .docx it is given, as the real one names them."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "soffice"
    script.write_text(f"""#!/bin/sh
out=""; prev=""
for arg in "$@"; do [ "$prev" = "--outdir" ] && out="$arg"; prev="$arg"; done
for arg in "$@"; do case "$arg" in *.docx) cp "{pdf}" "$out/$(basename "$arg" .docx).pdf";; esac; done
""")
    script.chmod(0o755)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[200, 2000])
    parser.add_argument("--real", action="store_true", help="convert with LibreOffice for real")
    args = parser.parse_args()
    environment = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.real:
            sample = Path(tmp) / "sample"
            sample.mkdir()
            subprocess.run([str(Path(sys.executable).parent / "decisions"), "render", str(ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"),
                            "--format", "pdf", "--out", str(sample)], cwd=ROOT, check=True, capture_output=True)
            pdf = next(sample.glob("*.pdf"))
            environment["PATH"] = f"{stand_in(Path(tmp) / 'bin', pdf)}:{environment['PATH']}"
        print(f"{'records':>8} {'published':>10} {'seconds':>8} {'peak MiB':>9} {'vs smallest':>12}")
        first = None
        for count in args.sizes:
            folder = Path(tmp) / f"archive-{count}"
            folder.mkdir()
            shutil.copy(ROOT / "office.yaml", folder / "office.yaml")
            shutil.copytree(ROOT / "templates", folder / "templates")
            make_archive(folder / "records", count)
            done = subprocess.run([sys.executable, "-c", MEASURE, str(folder / "office.yaml")], cwd=ROOT, env=environment,
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            first = first or result["peak_mib"]
            print(f"{count:>8} {result['published']:>10} {result['seconds']:>8.1f} {result['peak_mib']:>9.0f} "
                  f"{result['peak_mib'] / first:>11.2f}x")
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
