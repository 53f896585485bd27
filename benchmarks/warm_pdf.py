"""A finished PDF of one paper (PCC/D/102), cold against warm, measured in the same run.

    .venv/bin/python benchmarks/warm_pdf.py [N]     (N conversions each, default 10)

Cold: papers.convert_pdfs with a Converter, one LibreOffice start for the paper, as
`decisions render` makes it (its profile made beforehand, as a build's is). Warm: the same call
with a WarmConverter, whose LibreOffice was started once before (the editor's case). The two
alternate, so that both see the machine in the same state; it prints the median of each, the
ratio, and what the warm start itself cost. Needs python3-uno (`make build` installs it)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ROOT, SEED  # noqa: E402
from engine.papers import Paper, convert_pdfs, render_sources  # noqa: E402
from engine.project import Project  # noqa: E402
from engine.records import read_record  # noqa: E402
from engine.render.pdf import Converter, ProfilePool  # noqa: E402
from engine.render.warm import WarmConverter  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    project = Project.load(ROOT / "office.yaml")
    decision = read_record(SEED, project.office).decision
    docx = render_sources(decision, project, ["docx"]).files["docx"]

    def finished(converter) -> float:
        paper = Paper(decision)
        paper.files["docx"] = docx
        started = time.perf_counter()
        convert_pdfs([paper], project, converter)
        seconds = time.perf_counter() - started
        if paper.error:
            raise SystemExit(f"error: {paper.error}")
        return seconds

    with tempfile.TemporaryDirectory() as tmp:
        cold = Converter(Path(tmp) / "cold-profile")
        finished(cold)  # the cold profile made: a one-off cost a build does not pay each time
        with WarmConverter(ProfilePool(Path(tmp) / "warm-profiles")) as warm:
            started = time.perf_counter()
            if not warm.start():
                raise SystemExit(f"error: no warm LibreOffice: {warm.cold_reason}")
            first_start = time.perf_counter() - started  # with a new profile
            warm.close()
            started = time.perf_counter()
            warm.start()
            start = time.perf_counter() - started  # with the profile made: as `decisions serve` starts
            finished(warm)  # the first paper loads Writer's import filters
            colds, warms = [], []
            for _ in range(count):
                colds.append(finished(cold))
                warms.append(finished(warm))
    cold_median, warm_median = statistics.median(colds), statistics.median(warms)
    print(f"PCC/D/102 (4 pages) to a finished PDF, median of {count} each, alternating:")
    for label, times in (("cold: a LibreOffice start for the paper (Converter)", colds),
                         ("warm: LibreOffice kept running (WarmConverter)", warms)):
        print(f"  {label:<54} {statistics.median(times):6.3f} s  (range {min(times):.3f}-{max(times):.3f})")
    print(f"  warm is {cold_median / warm_median:.1f}x faster; the warm start itself: {start:.2f} s "
          f"({first_start:.2f} s with a new profile), paid once when the editor starts")


if __name__ == "__main__":
    main()
