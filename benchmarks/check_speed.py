"""Records checked per second: parsing, model and rules, on one core.

    .venv/bin/python benchmarks/check_speed.py [N]

Prints the engine's rate and, as a baseline measured in the same run, the rate of PyYAML's
pure-Python loader on the same files (the loader choice is what decides this figure)."""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ROOT, make_archive  # noqa: E402
from engine.model import Decision  # noqa: E402
from engine.office import load_office  # noqa: E402
from engine.records import read_records  # noqa: E402
from engine.yaml_source import read_yaml, validate  # noqa: E402


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f} records/s  ({seconds / count * 1000:.2f} ms each)"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    office = load_office(ROOT / "office.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_archive(Path(tmp), count)
        size = sum(p.stat().st_size for p in paths) / count
        print(f"{count} generated records, {size / 1024:.1f} KB of YAML each")

        start = time.perf_counter()
        records = read_records([Path(tmp)], office)
        full = time.perf_counter() - start
        assert all(r.ok for r in records), [str(p) for r in records for p in r.problems][:5]

        gc.disable()  # as `decisions check` does while reading
        start = time.perf_counter()
        for path in paths:
            yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        floor = time.perf_counter() - start
        start = time.perf_counter()
        sources = [read_yaml(p) for p in paths]
        parse = time.perf_counter() - start
        start = time.perf_counter()
        for source in sources:
            validate(source, Decision)
        model = time.perf_counter() - start
        gc.enable()

        sample = paths[: max(1, count // 20)]
        start = time.perf_counter()
        for path in sample:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        pure = (time.perf_counter() - start) * count / len(sample)

    print(f"decisions check (parse + model + rules): {rate(count, full)}")
    print(f"  of which parsing with locations:       {rate(count, parse)}")
    print(f"  of which the pydantic model:           {rate(count, model)}")
    print(f"floor: libyaml composing nodes only:     {rate(count, floor)}")
    print(f"baseline: PyYAML pure-Python parse only: {rate(count, pure)}")
    print(f"ratio: check is {pure / full:.1f}x the pure-Python parse rate")


if __name__ == "__main__":
    main()
