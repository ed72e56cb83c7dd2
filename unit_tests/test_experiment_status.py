"""Built-in experiments that do not work as a replication say so in `spikey list` and `spikey run`."""

from __future__ import annotations

from spikey.cli import main
from spikey.experiments import florian_temporal


def test_list_marks_the_temporal_xor_as_not_learning(capsys):
    """`spikey list` shows xor-temporal's STATUS; experiments that learn show none."""
    assert main(["list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "does not learn yet" in lines["xor-temporal"] and florian_temporal.STATUS in lines["xor-temporal"]
    assert "does not learn" not in lines["xor"] and "does not learn" not in lines["cartpole"]


def test_run_summary_of_the_temporal_xor_carries_the_note(tmp_path, capsys):
    """`spikey run xor-temporal` ends its summary with the note that it does not learn."""
    args = ["run", "xor-temporal", "--seed", "3", "--set", "len_episode=4", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"note: xor-temporal {florian_temporal.STATUS}" in out


def test_report_accepts_quiet(tmp_path, capsys):
    """`spikey report PATH --quiet` is accepted and prints the page's path only."""
    assert main(["run", "xor", "--seed", "0", "--set", "len_episode=4", "--out", str(tmp_path), "--quiet"]) == 0
    log = capsys.readouterr().out.strip()
    assert main(["report", log, "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == log[: -len(".json")] + ".html"
