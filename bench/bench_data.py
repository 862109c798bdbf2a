"""Benchmark: the interoperability importers of issue 11 ("Real data in, real tools out").

- XLSForm: every real-world form of ../shared/data/realworld/xlsform/ through `import_xlsform`
  (pyxform reads and builds the form, we translate it): forms, imported, refused, time per form.
- BAG per-gemeente load: the point-in-border test that `import_bag_gpkg --gemeente` applies to every
  address of the national file, on 1,000,000 generated points against a gemeente-sized polygon with
  a 200 m margin (the rest of the load is the places benchmark's).

    SECRET_KEY=x .venv/bin/python bench/bench_data.py

Figures are printed as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")
django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from buurtonderzoek.questionnaires.xlsform import XLSFormError, import_xlsform  # noqa: E402

CORPUS = Path(os.environ.get("XLSFORM_CORPUS", "/work/shared/data/realworld/xlsform"))


def xlsform_figures() -> list[tuple[str, str]]:
    forms = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xls", ".xlsx"))
    imported = refused = 0
    times = []
    warnings.simplefilter("ignore")
    for path in forms:
        start = time.perf_counter()
        try:
            import_xlsform(path)
            imported += 1
        except XLSFormError:
            refused += 1
        times.append(time.perf_counter() - start)
    times.sort()
    return [
        ("XLSForm corpus", f"{len(forms)} forms: {imported} imported, {refused} refused, 0 tracebacks"),
        ("import_xlsform per form", f"{1000 * times[len(times) // 2]:.0f} ms median, {1000 * times[-1]:.0f} ms max"),
    ]


def border_figures() -> list[tuple[str, str]]:
    rng = np.random.default_rng(11)
    # A gemeente of about 10 x 10 km with a ragged 400-point border, widened by 200 m.
    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    radius = 5000 + 600 * rng.random(400)
    ring = np.column_stack([136_000 + radius * np.cos(angles), 456_000 + radius * np.sin(angles)])
    area = shapely.Polygon(ring).buffer(200)
    shapely.prepare(area)
    xs = rng.uniform(120_000, 152_000, 1_000_000)
    ys = rng.uniform(440_000, 472_000, 1_000_000)
    start = time.perf_counter()
    inside = shapely.contains_xy(area, xs, ys)
    seconds = time.perf_counter() - start
    return [("per-gemeente filter, 1,000,000 points", f"{seconds:.2f} s ({int(inside.sum()):,} inside)")]


def main() -> None:
    rows = xlsform_figures() + border_figures()
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
