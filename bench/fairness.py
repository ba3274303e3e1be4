"""Benchmark: the fairness report against fairlearn's MetricFrame, side by side.

Usage:  python bench/fairness.py [--sizes 100000 1000000 10000000] [--fairlearn-max 1000000]
        python bench/fairness.py --tasks binary multiclass regression

For each size it writes synthetic evaluation predictions to Parquet (label, prediction, score,
sex with 2 values × race with 5 values = 10 intersectional slices), then, each in its own child
process so peak memory is the tool's own:

- cardpress: read the needed columns from Parquet, check them, and compute the sex × race slices
  (8 metrics with Wilson intervals, AUC with its DeLong interval): the same slices as fairlearn,
  with more in them; the ratio is taken on this line;
- cardpress-full: the same, then the whole report (overall, sex, race and sex × race, with
  reference comparisons, between-groups spreads, parity measures and both rules, calibration
  within groups — reliability bins, ECE with its bootstrap interval, Brier — and the threshold
  curves);
- cardpress-weighted: the whole report again, with a sample-weight column weighting every count,
  rate, interval, AUC, calibration figure and curve;
- fairlearn: ``MetricFrame`` over sex × race with selection rate, accuracy, precision, recall,
  FPR, FNR and ROC AUC (7 metrics), on the table already in memory (reading not timed).

It prints wall seconds, CPU seconds (user + system of the timed part), rows/s, peak RSS and the
speed ratio (on CPU seconds: wall time means little on a shared machine), and checks that both
give the same per-slice numbers to 1e-9. fairlearn is run up to ``--fairlearn-max`` rows.

``--tasks multiclass``: 5 classes with a probability column each; "cardpress-multiclass" reads,
checks and computes the sex × race slices (confusion matrix, accuracy with its interval,
macro/micro/weighted precision, recall and F1, every class's one-vs-rest rates with intervals,
AUC with DeLong intervals and calibration — reliability bins, ECE with its bootstrap interval,
Brier score — and the multiclass Brier score with its interval); "-full" is the whole report
(overall, sex, race and sex × race, with comparisons, spreads and both rules per class); the
ratio is taken on the slices line, against fairlearn ``MetricFrame`` over sex × race with
accuracy, macro precision, recall and F1, each class's selection rate and recall, and
one-vs-rest macro AUC (fairlearn computes no calibration). Times are CPU seconds of the
computing process.

A regression model (``--tasks regression``): synthetic label and prediction (floats) with the
same sex × race columns;

- reg-cardpress: read, check and compute the sex × race slices (MAE, RMSE, R², mean error, 50%
  and 90% quantiles of |error|, each with its 95% interval, and the residual quantiles);
- reg-full: the whole regression report (overall, sex, race, sex × race, reference comparisons,
  spreads, worst group);
- reg-fairlearn: ``MetricFrame`` over sex × race with the same six metrics (scikit-learn's
  ``mean_absolute_error``, ``mean_squared_error``, ``r2_score``, NumPy for the mean error and the
  quantiles), table in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METRICS = ("selection_rate", "accuracy", "precision", "recall", "fpr", "fnr")
CLASSES = ("a", "b", "c", "d", "e")
REGRESSION = ("mae", "rmse", "r2", "bias", "ae_p50", "ae_p90")


def write_predictions(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(rows)
    sex = rng.choice(np.array(["Female", "Male"]), rows, p=[0.4, 0.6])
    race = rng.choice(np.array(["White", "Black", "Asian", "Other", "Native"]), rows,
                      p=[0.6, 0.2, 0.1, 0.07, 0.03])  # fmt: skip
    shift = (sex == "Male") * 0.05 + (race == "White") * 0.05
    score = np.clip(rng.beta(2, 3, rows) + shift, 0, 1)
    label = (rng.random(rows) < score).astype("int8")
    frame = pd.DataFrame(
        {"label": label, "pred": (score >= 0.5).astype("int8"), "score": score,
         "sex": pd.Categorical(sex), "race": pd.Categorical(race),
         "weight": rng.gamma(2.0, 0.5, rows)}
    )  # fmt: skip
    frame.to_parquet(path, index=False)


def write_multiclass(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(rows)
    sex = rng.choice(np.array(["Female", "Male"]), rows, p=[0.4, 0.6])
    race = rng.choice(np.array(["White", "Black", "Asian", "Other", "Native"]), rows,
                      p=[0.6, 0.2, 0.1, 0.07, 0.03])  # fmt: skip
    logits = rng.normal(size=(rows, len(CLASSES)))
    logits[:, 0] += (sex == "Male") * 0.3
    scores = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    names = np.array(CLASSES)
    cumulative = scores.cumsum(axis=1)
    label = names[(rng.random(rows)[:, None] > cumulative).sum(axis=1).clip(0, len(CLASSES) - 1)]
    frame = pd.DataFrame({"label": label, "pred": names[scores.argmax(axis=1)],
                          "sex": pd.Categorical(sex), "race": pd.Categorical(race)})  # fmt: skip
    for index, name in enumerate(CLASSES):
        frame[f"p_{name}"] = scores[:, index]
    frame.to_parquet(path, index=False)


def run_cardpress_multiclass(path: Path, full: bool) -> dict[str, object]:
    """Read, check and compute: sex × race only (``full`` False) or the whole report."""
    from cardpress.compute.fairness.multiclass_report import multiclass_groups, multiclass_report
    from cardpress.model import FairnessSettings, Predictions, Source
    from cardpress.readers.predictions.multiclass import checked_multiclass
    from cardpress.readers.predictions.read import read_predictions

    predictions = Predictions(
        uri=path.name, dataset="eval", y_true="label", y_pred="pred", source=Source("bench", 1),
        sensitive=("sex", "race"), y_score_by_class=tuple((c, f"p_{c}") for c in CLASSES),
    )  # fmt: skip
    settings = FairnessSettings(intersections=(("sex", "race"),))
    start = time.process_time()
    frame = read_predictions(path.parent, predictions, [])
    assert frame is not None
    checked, problems = checked_multiclass(frame, predictions, (), {})
    assert checked is not None and not problems, problems
    del frame
    if full:
        report = multiclass_report(checked, predictions.sensitive, settings)
        slices = list(report.groupings[2].groups)
    else:
        slices = multiclass_groups(checked, ("sex", "race"), 30)
    seconds = time.process_time() - start
    values = {}
    for group in slices:
        numbers = {"accuracy": group.accuracy.value, "macro_auc": group.macro_auc}
        numbers |= {k: group.averages[k] for k in ("macro_precision", "macro_recall", "macro_f1")}
        for index, name in enumerate(CLASSES):
            numbers[f"selection_{name}"] = group.ovr[index].rates["selection_rate"].value
            numbers[f"recall_{name}"] = group.ovr[index].rates["recall"].value
        values["|".join(str(v) for v in group.values)] = numbers
    return {"seconds": seconds, "cpu": seconds, "values": values}


def run_fairlearn_multiclass(path: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    frame = pd.read_parquet(path)
    scores = frame[[f"p_{c}" for c in CLASSES]].to_numpy()

    def average(index: int):  # type: ignore[no-untyped-def]
        return lambda t, p: precision_recall_fscore_support(
            t, p, average="macro", zero_division=np.nan
        )[index]

    metrics = {"accuracy": accuracy_score, "macro_precision": average(0),
               "macro_recall": average(1), "macro_f1": average(2)}  # fmt: skip
    for name in CLASSES:
        metrics[f"selection_{name}"] = lambda t, p, c=name: float(np.mean(np.asarray(p) == c))
        metrics[f"recall_{name}"] = lambda t, p, c=name: float(
            np.mean(np.asarray(p)[np.asarray(t) == c] == c)
        )
    start = time.process_time()
    features = frame[["sex", "race"]].astype(str)
    result = MetricFrame(metrics=metrics, y_true=frame["label"], y_pred=frame["pred"],
                         sensitive_features=features).by_group  # fmt: skip
    # one-vs-rest AUC needs the score matrix: a second frame with the rows' indices as "y_pred"
    auc = MetricFrame(
        metrics=lambda t, i: roc_auc_score(t, scores[np.asarray(i)], multi_class="ovr",
                                           labels=list(CLASSES)),
        y_true=frame["label"], y_pred=np.arange(len(frame)), sensitive_features=features,
    ).by_group  # fmt: skip
    seconds = time.process_time() - start
    values = {}
    for (sex, race), row in result.iterrows():
        numbers = {m: float(row[m]) for m in metrics}
        values[f"{sex}|{race}"] = {**numbers, "macro_auc": float(auc[(sex, race)])}
    return {"seconds": seconds, "cpu": seconds, "values": values}


def write_regression(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(rows + 1)
    sex = rng.choice(np.array(["Female", "Male"]), rows, p=[0.4, 0.6])
    race = rng.choice(np.array(["White", "Black", "Asian", "Other", "Native"]), rows,
                      p=[0.6, 0.2, 0.1, 0.07, 0.03])  # fmt: skip
    label = rng.gamma(4, 25, rows)
    pred = label + rng.normal((sex == "Male") * 3.0, 10 + 5 * (race == "Other"), rows)
    frame = pd.DataFrame({"label": label, "pred": pred, "sex": pd.Categorical(sex),
                          "race": pd.Categorical(race)})  # fmt: skip
    frame.to_parquet(path, index=False)


def run_regression(path: Path, full: bool) -> dict[str, object]:
    """Read, check and compute a regression report: sex × race only, or the whole report."""
    import numpy as np
    import scipy.special  # noqa: F401  imports outside the timing, as fairlearn's are

    from cardpress.compute.fairness.groups import group_codes
    from cardpress.compute.fairness.regression import group_errors
    from cardpress.compute.fairness.regression_report import regression_report
    from cardpress.model import Y_PRED, Y_TRUE, FairnessSettings, Predictions, Source
    from cardpress.readers.predictions.read import read_predictions
    from cardpress.readers.predictions.task import checked_regression, infer_task

    predictions = Predictions(
        uri=path.name, dataset="eval", y_true="label", y_pred="pred", source=Source("bench", 1),
        sensitive=("sex", "race"),
    )  # fmt: skip
    settings = FairnessSettings(intersections=(("sex", "race"),))
    start, cpu = time.perf_counter(), time.process_time()
    frame = read_predictions(path.parent, predictions, [])
    assert frame is not None
    task, problems = infer_task(frame, predictions, None, "bench")
    assert task == "regression" and not problems, problems
    checked, problems = checked_regression(frame, predictions, (), {})
    assert checked is not None and not problems, problems
    del frame
    if full:
        grouping = regression_report(checked, predictions.sensitive, settings).groupings[2]
        slices = {g.values: g.metrics for g in grouping.groups}
    else:
        codes, labels = group_codes(checked, ["sex", "race"])
        y, p = checked[Y_TRUE].to_numpy(np.float64), checked[Y_PRED].to_numpy(np.float64)
        found = group_errors(codes, len(labels), y, p)
        slices = {v: g.metrics for v, g in zip(labels, found, strict=True) if g is not None}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    values = {
        "|".join(v): {m: metrics[m].value for m in REGRESSION} for v, metrics in slices.items()
    }  # type: ignore[arg-type]
    return {"seconds": seconds, "cpu": cpu, "values": values}


def run_regression_fairlearn(path: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    frame = pd.read_parquet(path)

    def quantile(q: float):  # type: ignore[no-untyped-def]
        return lambda t, p: float(np.quantile(np.abs(p - t), q, method="inverted_cdf"))

    metrics = {
        "mae": mean_absolute_error,
        "rmse": lambda t, p: mean_squared_error(t, p) ** 0.5,
        "r2": r2_score,
        "bias": lambda t, p: float(np.mean(p - t)),
        "ae_p50": quantile(0.5),
        "ae_p90": quantile(0.9),
    }
    start, cpu = time.perf_counter(), time.process_time()
    by_group = MetricFrame(
        metrics=metrics, y_true=frame["label"], y_pred=frame["pred"],
        sensitive_features=frame[["sex", "race"]].astype(str),
    ).by_group  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    values = {f"{sex}|{race}": {m: float(row[m]) for m in REGRESSION}
              for (sex, race), row in by_group.iterrows()}  # fmt: skip
    return {"seconds": seconds, "cpu": cpu, "values": values}


def run_cardpress(path: Path, full: bool, weighted: bool = False) -> dict[str, object]:
    """Read, check and compute: sex × race only (``full`` False) or the whole report."""
    from cardpress.compute.fairness.groups import group_metrics
    from cardpress.compute.fairness.report import fairness_report
    from cardpress.model import Y_PRED, Y_SCORE, Y_TRUE, FairnessSettings, Predictions, Source
    from cardpress.readers.predictions.checks import checked_predictions
    from cardpress.readers.predictions.read import read_predictions

    predictions = Predictions(
        uri=path.name, dataset="eval", y_true="label", y_pred="pred", source=Source("bench", 1),
        y_score="score", sensitive=("sex", "race"), weight="weight" if weighted else None,
    )  # fmt: skip
    settings = FairnessSettings(intersections=(("sex", "race"),))
    start, cpu = time.perf_counter(), time.process_time()
    frame = read_predictions(path.parent, predictions, [])
    assert frame is not None
    checked, problems = checked_predictions(frame, predictions, (), {})
    assert checked is not None and not problems, problems
    del frame  # as a build does: only the checked table is kept
    if full:
        slices = fairness_report(checked, predictions.sensitive, settings).groupings[2].groups
    else:
        slices = group_metrics(
            checked, ["sex", "race"], y_true=Y_TRUE, y_pred=Y_PRED, y_score=Y_SCORE,
            min_group_size=30,
        )  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    values = {
        "|".join(g.values): {**{m: g.rates[m].value for m in METRICS}, "auc": g.auc} for g in slices
    }
    return {"seconds": seconds, "cpu": cpu, "values": values}


def run_fairlearn(path: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

    frame = pd.read_parquet(path)
    metrics = {
        "selection_rate": selection_rate,
        "accuracy": accuracy_score,
        "precision": lambda t, p: precision_score(t, p, zero_division=np.nan),
        "recall": lambda t, p: recall_score(t, p, zero_division=np.nan),
        "fpr": false_positive_rate,
        "fnr": false_negative_rate,
    }
    start, cpu = time.perf_counter(), time.process_time()
    result = MetricFrame(
        metrics=metrics, y_true=frame["label"], y_pred=frame["pred"],
        sensitive_features=frame[["sex", "race"]].astype(str),
    )  # fmt: skip
    # roc_auc_score needs the scores, not the 0/1 predictions: a second frame, as users write it
    auc = MetricFrame(
        metrics=roc_auc_score, y_true=frame["label"], y_pred=frame["score"],
        sensitive_features=frame[["sex", "race"]].astype(str),
    ).by_group  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    by_group = result.by_group
    values = {
        f"{sex}|{race}": {**{m: float(row[m]) for m in METRICS}, "auc": float(auc[(sex, race)])}
        for (sex, race), row in by_group.iterrows()
    }
    return {"seconds": seconds, "cpu": cpu, "values": values}


def child(tool: str, path: Path) -> None:
    if tool.startswith("cardpress-multiclass"):
        result = run_cardpress_multiclass(path, full=tool.endswith("full"))
    elif tool == "fairlearn-multiclass":
        result = run_fairlearn_multiclass(path)
    elif tool == "fairlearn":
        result = run_fairlearn(path)
    elif tool == "reg-fairlearn":
        result = run_regression_fairlearn(path)
    elif tool.startswith("reg-"):
        result = run_regression(path, full=tool == "reg-full")
    else:
        weighted = tool == "cardpress-weighted"
        result = run_cardpress(path, full=tool != "cardpress", weighted=weighted)
    result["peak_mib"] = _peak_mib()
    print(json.dumps(result))


def _peak_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's ``ru_maxrss`` survives ``exec``: a child started by a parent that had just written a
    10M-row table reported the parent's peak (2,698 MiB) as its own. ``VmHWM`` is the peak of
    this program's own memory map, so it is read where there is one.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def measure(tool: str, path: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", tool, str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(output)
    return result


def same_numbers(ours: dict[str, dict[str, float]], theirs: dict[str, dict[str, float]]) -> bool:
    import math

    for key, metrics in ours.items():
        for name, value in metrics.items():
            other = theirs[key][name]
            if math.isnan(value) != math.isnan(other) or abs(value - other) > 1e-9:
                return False
    return set(ours) == set(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--fairlearn-max", type=int, default=1_000_000)
    parser.add_argument("--tasks", nargs="+", choices=["binary", "multiclass", "regression"],
                        default=["binary", "regression"])  # fmt: skip
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'rows':>11} {'tool':>25} {'seconds':>8} {'CPU s':>8} {'rows/s':>12} "
          f"{'peak MiB':>9} {'ratio':>7}")  # fmt: skip
    tools = {
        "binary": (
            ("cardpress", "cardpress-full", "cardpress-weighted"),
            "fairlearn",
            write_predictions,
        ),
        "multiclass": (
            ("cardpress-multiclass", "cardpress-multiclass-full"),
            "fairlearn-multiclass",
            write_multiclass,
        ),
        "regression": (("reg-cardpress", "reg-full"), "reg-fairlearn", write_regression),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks:
            ours_tools, other, write = tools[task]
            slices = ours_tools[0]
            for rows in args.sizes:
                path = Path(tmp) / f"{task}-{rows}.parquet"
                write(path, rows)
                results = {tool: measure(tool, path) for tool in ours_tools}
                ours = results[slices]
                theirs = measure(other, path) if rows <= args.fairlearn_max else None
                for tool, result in (*results.items(), (other, theirs)):
                    if result is not None:
                        _line(rows, tool, result, theirs if tool == slices else None)
                if theirs is not None:
                    same = same_numbers(ours["values"], theirs["values"])  # type: ignore[arg-type]
                    print(f"{'':>11} per-slice numbers identical to 1e-9: {same}")


def _line(
    rows: int, tool: str, result: dict[str, object], theirs: dict[str, object] | None
) -> None:
    seconds, cpu = float(result["seconds"]), float(result["cpu"])  # type: ignore[arg-type]
    ratio = f"{float(theirs['cpu']) / cpu:.0f}×" if theirs is not None else ""  # type: ignore[arg-type]
    peak = float(result["peak_mib"])  # type: ignore[arg-type]
    print(f"{rows:>11,} {tool:>25} {seconds:>8.3f} {cpu:>8.3f} {rows / seconds:>12,.0f} "
          f"{peak:>9.0f} {ratio:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
