"""spikey report: one self-contained HTML page for a log, a folder of logs, a Series and a
Population folder; bad input (corrupt/partial logs, empty folders); `spikey run --report`;
and the page opened in headless Chromium (skipped when Chromium is not installed)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser

import pytest
from conftest import XorGame, XorTemplate

from spikey.cli import main
from spikey.core import GenericLoop, RLCallback
from spikey.meta import JobFailedWarning, MetaRL, Population, Series
from spikey.module import Key
from spikey.viz.report import ReportError, write_report

network_template, game_template = XorTemplate, XorGame



class ExplodingLoop(GenericLoop):
    """GenericLoop that raises for learning_rate 0.3 (a failing job)."""

    NECESSARY_KEYS = GenericLoop.extend_keys([Key("explode_at", "learning_rate that raises", float, -1.0)])

    def run(self, network, game, params):
        if network._params["learning_rate"] == params["explode_at"]:
            raise RuntimeError("exploded on purpose")
        return super().run(network, game, params)


PARAMS = {"n_episodes": 5, "len_episode": 6, "eval_episodes": 1}


def write_log(folder, reduced=False, seed=1, **params):
    loop = GenericLoop(
        network_template, game_template, RLCallback(reduced=reduced), {**PARAMS, "seed": seed, **params}
    )
    loop(progress=False)
    return loop.log(folder=str(folder))


class Page(HTMLParser):
    """Images, headings, links and scripts of a page."""

    def __init__(self, text):
        super().__init__()
        self.images, self.headings, self.external, self.scripts, self._h = [], [], [], 0, False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("h1", "h2"):
            self._h = True
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if attrs.get(key) and not attrs[key].startswith("data:"):
                self.external.append(attrs[key])

    def handle_data(self, data):
        if self._h:
            self.headings.append(data.strip())
            self._h = False


def check_self_contained(path):
    """Parse the page: every image is an embedded, decodable PNG; nothing is fetched."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    page = Page(text)
    assert not page.external and page.scripts == 0, page.external
    for img in page.images:
        head, data = img["src"].split(",", 1)
        assert head == "data:image/png;base64"
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
        assert img.get("alt")
    return text, page


def test_report_of_a_log_is_one_self_contained_page(tmp_path):
    """A log's report sits next to it, embeds 4 PNG figures and states the results in words."""
    log = write_log(tmp_path)
    path = write_report(log)
    assert path == log[: -len(".json")] + ".html"
    text, page = check_self_contained(path)
    assert [img["alt"].split(":")[0].split(" (")[0] for img in page.images] == [
        "Return",
        "Learning curve",
        "Weights before and after training",
        "Answers per state, counted over all training steps",
    ]
    assert [h for h in page.headings if h in ("Summary", "Figures", "Results", "Configuration")] == [
        "Summary",
        "Figures",
        "Results",
        "Configuration",
    ]
    assert "accuracy during training" in text and "mean reward per game step" in text
    assert "Skipped" not in page.headings


def test_folder_with_corrupt_and_partial_logs_still_renders(tmp_path):
    """Corrupt, truncated and reduced logs: the page renders and lists each skip with its reason."""
    for seed, lr in ((1, 0.05), (2, 0.2)):
        write_log(tmp_path, seed=seed, learning_rate=lr)
    write_log(tmp_path, reduced=True, seed=3)
    (tmp_path / "garbage.json").write_text("{not json")
    full = open(write_log(tmp_path.parent / f"{tmp_path.name}-full", seed=4)).read()
    (tmp_path / "cut.json").write_text(full[: len(full) // 2])
    (tmp_path / ".x.spikey-tmp").write_text("{")
    path = write_report(str(tmp_path))
    assert path == os.path.join(str(tmp_path), "report.html")
    text, page = check_self_contained(path)
    assert "Skipped" in page.headings and "Runs (3)" in page.headings
    skipped = text[text.index("id='skipped'") :]
    assert "garbage.json" in skipped and "cut.json" in skipped and "not a readable JSON log" in skipped
    assert "unfinished write" in skipped
    assert "learning_rate" in text[text.index("Varied parameters") : text.index("Runs (3)")]
    assert len(page.images) >= 4  # comparison + learning curves of the readable logs


def test_empty_folder_says_so_and_exits_nonzero(tmp_path, capsys):
    """spikey report on an empty folder: exit status 2 and a message naming the folder."""
    with pytest.raises(ReportError, match="holds no logs"):
        write_report(str(tmp_path))
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "holds no logs" in err
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_series_folder_report_lists_failed_jobs_with_tracebacks(tmp_path, capsys):
    """A Series folder: varied params, best configurations, and the failed job's traceback."""
    folder = tmp_path / "series"
    series = Series(
        network_template,
        game_template,
        ExplodingLoop,
        ("learning_rate", [0.05, 0.3, 0.2]),
        training_params={**PARAMS, "explode_at": 0.3},
        n_repeats=2,
        seed=0,
        folder=str(folder),
        progress=False,
    )
    with pytest.warns(JobFailedWarning):
        series.run()
    assert main(["report", str(folder)]) == 0
    path = capsys.readouterr().out.strip()
    text, page = check_self_contained(path)
    for heading in ("Series", "Varied parameters", "Runs (4)", "Best configurations", "Failed jobs"):
        assert heading in page.headings
    failed = text[text.index("Failed jobs") :]
    assert "job 2 (learning_rate=0.3)" in failed and "job 3 (learning_rate=0.3)" in failed
    assert "RuntimeError: exploded on purpose" in failed and "Traceback (most recent call last)" in failed
    best = text[text.index("Best configurations") : text.index("Failed jobs")]
    assert "0.05" in best and "0.2" in best and "0.3" not in best


class Line(MetaRL):
    GENOTYPE_CONSTRAINTS = {"x": (0.0, 1.0)}

    def get_fitness(self, genotype):
        if genotype["x"] > 0.6:
            raise ValueError("too far")
        return genotype["x"], False


def test_population_folder_report(tmp_path):
    """A Population folder: fitness figure, per-epoch table, best genotypes, failed evaluations."""
    folder = tmp_path / "pop"
    population = Population(Line(), n_agents=6, n_epoch=3, seed=5, folder=str(folder), progress=False)
    with pytest.warns(JobFailedWarning):
        population.run()
    text, page = check_self_contained(write_report(str(folder)))
    for heading in ("Population", "Fitness", "Epochs", "Best genotypes", "Failed evaluations"):
        assert heading in page.headings
    assert len(page.images) == 1
    assert "ValueError: too far" in text
    best_x = max(g["x"] for h in population.history for g, f in zip(h["genotypes"], h["fitness"]) if f > -1)
    assert f"{best_x:.4g}" in text[text.index("Best genotypes") :]


def test_run_with_report_prints_the_summary_and_both_paths(tmp_path, capsys):
    """spikey run FILE --report: summary in words, then log: and report: lines; the page exists."""
    exp = tmp_path / "exp.py"
    exp.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {os.path.dirname(__file__)!r})
            from test_report import network_template, game_template
            training_params = {{"n_episodes": 3, "len_episode": 5, "eval_episodes": 1}}
            """
        )
    )
    assert main(["run", str(exp), "--seed", "2", "--out", str(tmp_path / "log"), "--report"]) == 0
    out = capsys.readouterr().out
    assert "accuracy (during training)" in out and "mean reward per game step" in out
    assert "trained" in out and "6 neurons" in out and "3 (+1 eval) x 5 game steps" in out
    report = re.search(r"^report: (.+)$", out, re.M).group(1)
    assert os.path.isfile(report) and report.endswith(".html")
    check_self_contained(report)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(
    _chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)"
)
def test_report_opens_in_headless_chromium_with_every_figure_loaded(tmp_path):
    """Chromium loads the page and every <img> decodes (naturalWidth > 0); a screenshot is taken."""
    log = write_log(tmp_path / "logs")
    page = write_report(log)
    with open(page, encoding="utf-8") as f:
        html = f.read()
    probe = (
        "<script>window.addEventListener('load', () => {"
        "const imgs = [...document.images];"
        "const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;"
        "document.body.setAttribute('data-images', ok + '/' + imgs.length);});</script>"
    )
    probed = tmp_path / "probe.html"
    probed.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--virtual-time-budget=5000",
    ]
    out = subprocess.run(
        [_chromium(), *flags, "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    match = re.search(r'data-images="(\d+)/(\d+)"', out.stdout)
    assert match, "the page did not finish loading in Chromium"
    assert match.group(1) == match.group(2) == "4"
    shot = tmp_path / "page.png"
    subprocess.run(
        [_chromium(), *flags, "--window-size=1200,1600", f"--screenshot={shot}", f"file://{page}"],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
