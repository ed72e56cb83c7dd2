"""``spikey report``: one self-contained HTML page about a log or an output folder.

.. code-block:: python

    from spikey.viz.report import write_report
    path = write_report("log/2026-01-01-12-00.json")   # -> log/2026-01-01-12-00.html
    path = write_report("log/series-lr")               # -> log/series-lr/report.html

What the page shows depends on what ``path`` is:

- a **log file**: the run's results, its learning curve (frozen-weight evaluation
  marked), weight histograms before and after training, the game states, and the
  network and game configuration;
- a **folder of logs**: a table of the runs (:attr:`spikey.logging.Reader.df`), the
  parameters that differ between them, a comparison plot and each run's learning curve;
- a **Series folder** (``checkpoint.jsonl`` written by :class:`spikey.meta.Series`):
  the same, with the Series' varied parameters, the best configurations, and the failed
  jobs with their tracebacks;
- a **Population folder**: fitness per epoch, the genotypes' spread, the best
  genotypes, and the failed evaluations with their tracebacks.

Figures are embedded as PNG (``data:`` URIs) and the style is inline, so the page can
be mailed or archived on its own. Files that cannot be read are listed with the reason,
and a figure whose signal a log lacks is replaced by a note naming the missing key;
the rest of the page still renders. Nothing in the logs is executed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spikey.errors import SpikeyError

__all__ = ["write_report", "render_report", "ReportError", "report_path", "Report"]

#: File name of the report of a folder.
FOLDER_REPORT = "report.html"
#: Result columns shown first in run tables, when present.
METRIC_COLUMNS = (
    "frozen_accuracy",
    "eval_accuracy",
    "accuracy",
    "mean_accuracy",
    "mean_steps",
    "reward_per_step",
    "mean_reward",
    "total_time",
)
_JOB_COLUMNS = ("filename", "job", "config", "repeat", "seed", "status", "subfolder")
MAX_RUN_FIGURES = 6


class ReportError(SpikeyError):
    """Nothing to report (an empty folder, a missing path)."""


@dataclass
class Report:
    """The pieces of a report page, before rendering (see :func:`render_report`)."""

    title: str
    source: str
    kind: str
    sections: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    n_figures: int = 0

    def add(self, heading: str, body: str) -> None:
        """Append a section (``body`` is HTML)."""
        self.sections.append((heading, body))


def report_path(path: str) -> str:
    """Where the report of ``path`` goes: ``<log>.html`` next to a log, ``<folder>/report.html``."""
    if os.path.isdir(path):
        return os.path.join(path, FOLDER_REPORT)
    stem, _ = os.path.splitext(path)
    return stem + ".html"


# ---------------------------------------------------------------------- html helpers
def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


_ADDRESS = re.compile(r"^<(?:[\w.]+\.)?(\w+)(?: object)? at 0x[0-9a-fA-F]+>$")


def _label(v: Any) -> Any:
    """A config value as its key: a class or function by its name, an object by its class's name."""
    from spikey.logging.serialize import ImportPath, Repr

    if isinstance(v, ImportPath):
        return str(v).rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    if isinstance(v, Repr):
        m = _ADDRESS.match(str(v))
        return m.group(1) if m else str(v)
    if isinstance(v, (list, tuple)) and not isinstance(v, str):
        return type(v)(_label(x) for x in v) if isinstance(v, list) else tuple(_label(x) for x in v)
    if isinstance(v, dict):
        return {k: _label(x) for k, x in v.items()}
    return v


def _fmt(v: Any) -> str:
    v = _label(v)
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "nan"
        return f"{f:.4g}"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, np.ndarray):
        return f"array{tuple(v.shape)}" if v.size > 6 else np.array2string(v, precision=4, separator=", ")
    text = _plain(v) if not isinstance(v, str) else v
    return text if len(text) <= 80 else text[:77] + "..."


def _plain(v: Any) -> str:
    """``repr`` of containers without the quotes of their strings' labels."""
    if isinstance(v, list):
        return "[" + ", ".join(_plain(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(_plain(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) + "}"
    if isinstance(v, str):
        return v
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return repr(v)


def _table(rows: list[dict], columns: list[str] | None = None, cls: str = "") -> str:
    if not rows:
        return "<p class='note'>(none)</p>"
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_fmt(r.get(c, '')))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kv(pairs: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>" for k, v in pairs)
    return f"<table class='kv'>{body}</table>"


def _note(text: str) -> str:
    return f"<p class='note'>{_e(text)}</p>"


def _figure(report: Report, draw: Any, caption: str, size: tuple[float, float] = (6.4, 3.6)) -> str:
    """Run ``draw(fig)``, embed the figure as a PNG; a failure becomes a note (and is listed)."""
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    fig = Figure(figsize=size, dpi=100)
    try:
        draw(fig)
    except (SpikeyError, KeyError, ValueError, TypeError, IndexError) as e:
        msg = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
        report.skipped.append((f"figure: {caption}", msg))
        return f"<p class='missing'>{_e(caption)}: not drawn. {_e(msg)}</p>"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    report.n_figures += 1
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{_e(caption)}'>"
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
.meta{color:#666;font-size:.9em} .note{color:#666;font-style:italic}
.missing{background:#fff6e0;border-left:4px solid #e0a800;padding:.4em .8em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0} th,td{border:1px solid #ddd;padding:2px 6px;
text-align:left} thead th{background:#f3f3f3;position:sticky;top:0} table.kv th{background:#f8f8f8}
.scroll{max-height:420px;overflow:auto} figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:100%;border:1px solid #eee} figcaption{font-size:.85em;color:#555}
pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:.8em;max-height:320px}
details{margin:.4em 0} summary{cursor:pointer}
"""


def render_report(report: Report) -> str:
    """The HTML text of a report."""
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    from spikey import __version__

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(report.title)}</h1>",
        f"<p class='meta'>{_e(report.kind)}: <code>{_e(report.source)}</code> &middot; written {now} "
        f"by spikey {_e(__version__)}</p>",
    ]
    for heading, body in report.sections:
        parts.append(f"<section><h2>{_e(heading)}</h2>{body}</section>")
    if report.skipped:
        rows = [{"what": w, "why": why} for w, why in report.skipped]
        parts.append(
            "<section id='skipped'><h2>Skipped</h2><p>These could not be read or drawn; "
            f"the rest of the page is complete.</p>{_table(rows, ['what', 'why'])}</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------- reading
def _read_logs(folder: str, names: list[str], report: Report) -> tuple[list[str], list[dict]]:
    """Decode ``names`` (relative to ``folder``); unreadable ones go to ``report.skipped``."""
    from spikey.logging.reader import read_log
    from spikey.logging.serialize import DecodeBudget

    ok_names, logs = [], []
    budget = DecodeBudget.for_size(0, f"the logs read from {folder}")  # the folder's total, as the Reader's
    for name in names:
        try:
            logs.append(read_log(os.path.join(folder, name), budget=budget))
            ok_names.append(name)
        except SpikeyError as e:
            report.skipped.append((name, str(e).replace(os.path.join(folder, name) + ": ", "")))
    return ok_names, logs


def _log_names(folder: str, report: Report, recursive: bool = False) -> list[str]:
    from spikey.files import TMP_SUFFIX

    names = []
    walker = os.walk(folder) if recursive else [(folder, [], os.listdir(folder))]
    for root, _, files in walker:
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(root, f), folder)
            if f.endswith(TMP_SUFFIX) or ".json.tmp" in f:
                report.skipped.append((rel, "an unfinished write (temporary file); the run did not end"))
            elif f.endswith(".json") and "~SUMMARY" not in f:
                names.append(rel)
    return sorted(names)


def _reader(folder: str, names: list[str], logs: list[dict]) -> Any:
    """A Reader over logs already decoded (no second read, no warnings)."""
    from spikey.logging.reader import Reader

    reader = Reader.__new__(Reader)
    reader.folder, reader.filenames, reader.logs, reader._df = folder, list(names), list(logs), None
    return reader


def _scalar(v: Any) -> bool:
    return isinstance(v, (int, float, str, bool, np.number, np.bool_)) or v is None


def _varied(df: Any, logs: list[dict]) -> list[str]:
    """Configuration columns (network and game sections) whose values differ between runs."""
    config = {k for data in logs for s in ("network", "game") for k in data[s]}
    results = {k for data in logs for k in data["results"]}
    out = []
    for c in df.columns:
        if c in _JOB_COLUMNS or c in METRIC_COLUMNS or c not in config or c in results:
            continue
        texts = {json.dumps(_fmt(v)) for v in df[c]}
        if len(texts) > 1 and all(_scalar(v) for v in df[c]):
            out.append(c)
    return out


def _result_columns(logs: list[dict]) -> list[str]:
    keys: dict[str, None] = {}
    for data in logs:
        for k, v in data["results"].items():
            if _scalar(v):
                keys[k] = None
    return list(keys)


def _reward_per_step(results: dict) -> float | None:
    """Mean reward per game step: total reward over total steps of the training episodes."""
    mean_r, mean_s = results.get("mean_reward"), results.get("mean_steps")
    if mean_r is None or not mean_s:
        return None
    return float(mean_r) / float(mean_s)


def _run_rows(df: Any, varied: list[str], logs: list[dict]) -> tuple[list[dict], list[str]]:
    metrics = [m for m in METRIC_COLUMNS if m in df.columns and m != "reward_per_step"]
    rows = []
    for (_, row), data in zip(df.iterrows(), logs):
        r = {c: row[c] for c in ("filename", *varied, *metrics) if c in df.columns}
        rps = _reward_per_step(data["results"])
        if rps is not None:
            r["reward_per_step"] = rps
        rows.append(r)
    columns = ["filename", *varied, *[m for m in METRIC_COLUMNS if any(m in r for r in rows)]]
    return rows, list(dict.fromkeys(columns))


# ---------------------------------------------------------------------- sections
def _tenths(values: Any) -> tuple[float, float] | None:
    """Mean of the first and of the last tenth of a per-episode list (None below 2 episodes)."""
    v = np.asarray(values if values is not None else [], dtype=float)
    if len(v) < 2:
        return None
    k = max(1, len(v) // 10)
    return float(v[:k].mean()), float(v[-k:].mean())


def _trend(values: Any, label: str) -> tuple[str, str] | None:
    t = _tenths(values)
    if t is None:
        return None
    k = max(1, len(values) // 10)
    span = "first and last episode" if k == 1 else f"mean of the first and last {k} episodes"
    return (f"{label}, {span}", f"{t[0]:.4g} \u2192 {t[1]:.4g}")


def _game_name(game: dict) -> str | None:
    name = game.get("name") or game.get("env")
    return str(_label(name)) if name else None


def _summary_pairs(data: dict) -> list[tuple[str, Any]]:
    r = data["results"]
    net, game, info = data["network"], data["game"], data["info"]
    pairs: list[tuple[str, Any]] = []
    nets = [str(_label(net.get(k))) for k in ("neurons", "synapses") if net.get(k)]
    if net.get("n_neurons") is not None:
        pairs.append(
            (
                "network",
                f"{net.get('n_inputs', '?')} inputs, {net['n_neurons']} neurons ({', '.join(nets)})"
                if nets
                else f"{net['n_neurons']} neurons",
            )
        )
    name = _game_name(game)
    if name:
        pairs.append(("game", name))
    if r.get("n_episodes") is not None:
        episodes = str(r["n_episodes"])
        if r.get("eval_episodes"):
            episodes += f" training + {r['eval_episodes']} evaluation (frozen weights)"
        pairs.append(("episodes", episodes))
    if r.get("n_steps") is not None:
        pairs.append(("game steps (training)", r["n_steps"]))
    env = info.get("episode_env_returns")
    returns_label = "env return per episode" if env else "reward per episode"
    for row in (
        _trend(env if env else info.get("episode_rewards"), returns_label),
        _trend(info.get("episode_lens"), "steps per episode"),
    ):
        if row is not None:
            pairs.append(row)
    for key, label in (
        ("mean_env_return", "env return per episode, mean over training"),
        ("eval_mean_env_return", "env return per episode, evaluation (frozen weights)"),
        ("mean_accuracy", "accuracy during training"),
        ("accuracy", "accuracy, final training episode"),
        ("eval_accuracy", "accuracy, evaluation episodes (frozen weights)"),
        ("frozen_accuracy", "accuracy with frozen weights"),
        ("mean_steps", "steps per episode, mean over training"),
        ("eval_mean_steps", "steps per evaluation episode (frozen weights)"),
    ):
        if r.get(key) is not None:
            pairs.append((label, r[key]))
    rps = _reward_per_step(r)
    if rps is not None:
        pairs.append(("mean reward per game step", rps))
    if r.get("total_time") is not None:
        pairs.append(("run time [s]", r["total_time"]))
    if data.get("seed") is not None or net.get("seed") is not None:
        pairs.append(("seed", r.get("seed", net.get("seed"))))
    return pairs


def _config_table(section: dict) -> str:
    rows = [(k, v) for k, v in section.items() if k != "seed"]
    return _kv(rows) if rows else _note("(empty)")


def _log_figures(report: Report, data: dict) -> list[str]:
    """The figures of one run: returns per episode, learning curve, weights, states."""
    from spikey.viz import results as vr

    info, results = data["info"], data["results"]
    figs = []
    n_train, n_eval = len(info.get("episode_lens") or []), len(info.get("eval_episode_lens") or [])
    if n_train + n_eval >= 2:
        what = "the game's own reward" if info.get("episode_env_returns") else "the network's reward"
        figs.append(
            _figure(
                report,
                lambda f: vr.episode_returns(data, f),
                f"Return ({what}, summed per episode) and length per episode: {n_train} training episodes "
                f"(learning on)" + (
                    f", then {n_eval} evaluation episode{'s' if n_eval != 1 else ''} with frozen weights (shaded)"
                    if n_eval
                    else ""
                ),
                (6.4, 4.4),
            )
        )
    states = info.get("step_states")
    categorical = states is None or vr.is_categorical(states)
    answers = info.get("episode_accuracy") is not None or results.get("frozen_accuracy") is not None
    if answers or n_train + n_eval < 2:
        figs.append(
            _figure(
                report,
                lambda f: vr.learning_curve(data, f.subplots()),
                "Learning curve: the network's reward per game step"
                + (" and the share of correct answers" if answers else "")
                + " during training (moving mean); evaluation with frozen weights marked",
            )
        )
    figs.append(
        _figure(
            report,
            lambda f: vr.weight_histograms(data, f.subplots()),
            "Weights before and after training (one count per synapse)",
        )
    )
    if categorical:
        figs.append(
            _figure(
                report,
                lambda f: vr.game_states(data, f.subplots()),
                "Answers per state, counted over all training steps (learning on)",
            )
        )
    else:
        figs.append(
            _figure(
                report,
                lambda f: vr.observation_traces(data, f),
                "Observations and actions over the last training episode (learning on)",
                (6.4, 5.0),
            )
        )
        if info.get("eval_step_states"):
            figs.append(
                _figure(
                    report,
                    lambda f: vr.observation_traces(data, f, evaluation=True),
                    "Observations and actions over the last evaluation episode (frozen weights)",
                    (6.4, 5.0),
                )
            )
    return figs


def _report_log(path: str) -> Report:
    from spikey.logging.reader import read_log

    report = Report(f"spikey report: {os.path.basename(path)}", path, "log file")
    try:
        data = read_log(path)
    except SpikeyError as e:
        raise ReportError(f"spikey report: {e}") from None
    report.add("Summary", _kv(_summary_pairs(data)))
    report.add("Figures", "".join(_log_figures(report, data)))
    results = {k: v for k, v in data["results"].items() if _scalar(v)}
    report.add("Results", _kv(list(results.items())))
    report.add(
        "Configuration",
        "<details open><summary>network</summary>" + _config_table(data["network"]) + "</details>"
        "<details><summary>game</summary>" + _config_table(data["game"]) + "</details>",
    )
    return report


def _failures(records: list[dict], describe: Any) -> str:
    failed = [r for r in records if r.get("status") not in ("ok", None)]
    if not failed:
        return "<p>None: every job finished.</p>"
    out = []
    for rec in failed:
        label = describe(rec)
        reason = rec.get("reason") or rec.get("status")
        out.append(
            f"<details><summary><b>{_e(label)}</b> &mdash; {_e(reason)}: {_e(rec.get('error') or '')}"
            f"</summary><pre>{_e(rec.get('traceback') or '(no traceback)')}</pre></details>"
        )
    return f"<p>{len(failed)} failed.</p>" + "".join(out)


def _read_checkpoint(folder: str, report: Report) -> tuple[dict, list[dict]]:
    from spikey.meta.checkpoint import Checkpoint

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            header, records, _ = Checkpoint.read(folder)
        for w in caught:
            report.skipped.append(("checkpoint.jsonl", str(w.message)))
        return header, records
    except SpikeyError as e:
        report.skipped.append(("checkpoint.jsonl", str(e)))
        return {}, []


def _summary_file(folder: str, report: Report) -> dict:
    from spikey.logging.reader import read_json
    from spikey.logging.serialize import DecodeError, decode

    for f in sorted(os.listdir(folder)):
        if f.endswith("~SUMMARY.json"):
            try:  # the checks of a log: regular file, size, valid Unicode text (no lone surrogate)
                return decode(read_json(os.path.join(folder, f)))
            except (SpikeyError, OSError, ValueError, DecodeError) as e:
                report.skipped.append((f, f"not a readable summary ({e})"))
    return {}


def _runs_sections(report: Report, folder: str, names: list[str], logs: list[dict], attrs: list[str]) -> Any:
    from spikey.viz import results as vr

    df = _reader(folder, names, logs).df
    varied = list(dict.fromkeys([a for a in attrs if a in df.columns] + _varied(df, logs)))
    if varied:
        report.add(
            "Varied parameters",
            _table([{"parameter": c, "values": ", ".join(sorted({_fmt(v) for v in df[c]}))} for c in varied]),
        )
    else:
        report.add("Varied parameters", _note("All runs have the same configuration (repeats)."))
    rows, columns = _run_rows(df, varied, logs)
    report.add(f"Runs ({len(rows)})", f"<div class='scroll'>{_table(rows, columns)}</div>")
    figs = []
    metric = next((m for m in vr._METRICS if m in df.columns and df[m].notna().any()), None)
    labels = [
        ", ".join(f"{c}={_fmt(v)}" for c, v in zip(varied, row)) if varied else "all runs"
        for row in (df[varied].itertuples(index=False) if varied else [()] * len(df))
    ]
    n_groups = len(dict.fromkeys(labels))
    figs.append(
        _figure(
            report,
            lambda f: vr.overlay_curves(logs, labels, f.subplots()),
            f"Learning curves of {len(logs)} runs in {n_groups} configuration{'s' if n_groups != 1 else ''}: "
            "mean per configuration, band = ± one standard deviation over its runs (training episodes)",
            (7.0, 3.8),
        )
    )
    if varied and metric:
        for param in varied[:3]:
            figs.append(
                _figure(
                    report,
                    lambda f, p=param: vr.series_comparison(df, p, metric, f.subplots()),
                    f"{metric} by {param} (one dot per run)",
                )
            )
    singles = [
        _figure(
            report,
            lambda f, d=data: vr.learning_curve(d, f.subplots()),
            f"learning curve: {name}",
            (5.2, 3.2),
        )
        for name, data in list(zip(names, logs))[:MAX_RUN_FIGURES]
    ]
    more = f" (the first {MAX_RUN_FIGURES} of {len(logs)})" if len(logs) > MAX_RUN_FIGURES else ""
    figs.append(
        f"<details class='runs'><summary>Runs one by one{_e(more)}</summary>{''.join(singles)}</details>"
    )
    report.add("Figures", "".join(figs))
    return df, varied, metric


def _best_configs(df: Any, varied: list[str], metric: str | None, n: int = 5) -> list[dict]:
    if not metric or not varied:
        return []
    keyed = df.copy()
    for c in varied:
        keyed[c] = keyed[c].map(_fmt)
    g = keyed.groupby(varied, dropna=False)[metric].agg(["mean", "std", "count"]).reset_index()
    g = g.sort_values("mean", ascending=False).head(n)
    return [
        {
            **{c: row[c] for c in varied},
            f"mean {metric}": row["mean"],
            "std": row["std"],
            "runs": row["count"],
        }
        for _, row in g.iterrows()
    ]


def _report_series(folder: str, header: dict, records: list[dict], report: Report) -> Report:
    names = _log_names(folder, report)
    names, logs = _read_logs(folder, names, report)
    summary = _summary_file(folder, report)
    series = summary.get("series") or {}
    attrs = [a for a in (series.get("attrs") or []) if a != "seed"]
    configs = series.get("configs") or []
    n_rep = int(series.get("n_repeats") or header.get("n_repeats") or 1)
    n_jobs = header.get("n_jobs")
    n_ok = sum(r.get("status") == "ok" for r in records)
    report.add(
        "Series",
        _kv(
            [
                ("jobs", n_jobs),
                ("finished", n_ok),
                ("failed", sum(r.get("status") == "failed" for r in records)),
                ("not run yet", (n_jobs - len(records)) if isinstance(n_jobs, int) else "?"),
                ("varied", ", ".join(attrs) or "(nothing: repeats)"),
                ("repeats", n_rep),
                ("seed", header.get("seed")),
                ("backend", series.get("backend", "?")),
            ]
        ),
    )
    if not logs:
        report.add("Runs", _note("No run has written a log yet."))
        df, varied, metric = None, attrs, None
    else:
        df, varied, metric = _runs_sections(report, folder, names, logs, attrs)
    best = _best_configs(df, varied, metric) if df is not None else []
    if best:
        report.add("Best configurations", _table(best))

    def describe(rec: dict) -> str:
        job = rec.get("job")
        if isinstance(job, int) and configs and job // n_rep < len(configs):
            params = ", ".join(f"{k}={_fmt(v)}" for k, v in configs[job // n_rep].items())
            return f"job {job} ({params})" if params else f"job {job}"
        return f"job {job}"

    report.add("Failed jobs", _failures(records, describe))
    return report


def _report_population(folder: str, header: dict, records: list[dict], report: Report) -> Report:
    import pandas as pd

    from spikey.viz import results as vr

    names = _log_names(folder, report)
    names, logs = _read_logs(folder, names, report)
    rows = []
    for data in logs:
        epoch = data["results"].get("epoch")
        for i, (g, f) in enumerate(
            zip(data["info"].get("genotypes") or [], data["info"].get("fitness") or [])
        ):
            rows.append({"epoch": epoch, "agent": i, **dict(g), "fitness": f})
    table = pd.DataFrame.from_records(rows)
    report.add(
        "Population",
        _kv(
            [
                ("epochs logged", len(logs)),
                ("evaluations", len(records)),
                ("failed", sum(r.get("status") != "ok" for r in records)),
                ("seed", header.get("seed")),
                ("genes", ", ".join(str(k) for k in (header.get("constraints") or {}))),
            ]
        ),
    )
    if table.empty:
        report.add("Fitness", _note("No epoch has finished yet."))
    else:
        report.add(
            "Fitness",
            _figure(
                report,
                lambda f: vr.population_plot(table, f),
                "fitness and genotype spread per epoch",
                (9, 3.4),
            ),
        )
        per_epoch = [
            {
                k: data["results"].get(k)
                for k in ("epoch", "max_fitness", "mean_fitness", "min_fitness", "n_new")
            }
            for data in logs
        ]
        report.add("Epochs", _table(per_epoch))
        genes = [c for c in table.columns if c not in ("epoch", "agent", "fitness", "repeated")]
        collapsed = _collapse_epoch(table, genes)
        if collapsed is not None:
            epoch, genotype = collapsed
            report.add(
                "Diversity",
                f"<p class='missing'>The population collapsed to one genotype from epoch {_e(epoch)} on: "
                f"{_e(', '.join(f'{k}={_fmt(v)}' for k, v in genotype.items()))}. Every later agent is a copy; "
                "raise the mutation rate or the population size to keep searching.</p>",
            )
        best = (
            table.sort_values("fitness", ascending=False)
            .drop_duplicates([c for c in table.columns if c not in ("epoch", "agent", "fitness")])
            .head(5)
        )
        report.add("Best genotypes", _table(best.to_dict("records")))

    def describe(rec: dict) -> str:
        from spikey.logging.serialize import decode

        try:
            g = decode(rec.get("genotype") or {})
        except Exception:  # noqa: BLE001 - a label only
            g = rec.get("genotype")
        return f"epoch {rec.get('epoch')}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in dict(g or {}).items())

    report.add("Failed evaluations", _failures(records, describe))
    return report


def _collapse_epoch(table: Any, genes: list[str]) -> tuple[Any, dict] | None:
    """The first epoch from which every agent had the same genotype (to the last epoch), else None."""
    if not genes or table.empty:
        return None
    keyed = table[genes].map(_fmt).agg("|".join, axis=1)
    distinct = keyed.groupby(table["epoch"]).nunique().sort_index()
    if distinct.iloc[-1] != 1 or len(distinct) < 2:
        return None
    since = distinct.index[-1]
    for epoch, n in distinct.iloc[::-1].items():
        if n != 1:
            break
        since = epoch
    last = table[table["epoch"] == distinct.index[-1]].iloc[0]
    return since, {g: last[g] for g in genes}


def _report_folder(folder: str) -> Report:
    from spikey.meta.checkpoint import Checkpoint

    report = Report(f"spikey report: {os.path.basename(os.path.abspath(folder))}", folder, "folder")
    if Checkpoint.exists(folder):
        header, records = _read_checkpoint(folder, report)
        tool = header.get("tool")
        if tool == "Series":
            report.kind = "Series folder"
            return _report_series(folder, header, records, report)
        if tool == "Population":
            report.kind = "Population folder"
            return _report_population(folder, header, records, report)
    names = _log_names(folder, report, recursive=True)
    if not names and not report.skipped:
        raise ReportError(
            f"spikey report: {folder} holds no logs (*.json); give a log file, a folder of logs, or the output "
            "folder of a Series or Population."
        )
    names, logs = _read_logs(folder, names, report)
    if not logs:
        report.add("Runs", _note(f"No readable log in {folder}; see Skipped below."))
        return report
    if len(logs) == 1:
        single = _report_log(os.path.join(folder, names[0]))
        single.source, single.kind, single.skipped = folder, "folder (1 log)", report.skipped + single.skipped
        return single
    _runs_sections(report, folder, names, logs, [])
    return report


def write_report(path: str, out: str | None = None, *, title: str | None = None) -> str:
    """Write the HTML report of a log file or an output folder; return the page's path.

    Parameters
    ----------
    path : str
        A log file, a folder of logs, or a Series or Population output folder.
    out : str, optional
        Where to write; default :func:`report_path` (next to the logs).
    title : str, optional
        Page title.

    Returns
    -------
    str
        Path of the HTML file.

    Raises
    ------
    ReportError
        For a missing path, an unreadable log file, or a folder with no logs.
    """
    if not os.path.exists(path):
        raise ReportError(f"spikey report: no such file or folder {path!r}.")
    report = _report_folder(path) if os.path.isdir(path) else _report_log(path)
    if title:
        report.title = title
    target = out or report_path(path)
    from spikey.files import atomic_write

    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    atomic_write(target, render_report(report))
    return target
