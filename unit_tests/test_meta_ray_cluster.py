"""A Series across a two-node local Ray cluster (``ray start --head`` + a second ``ray start``).

The cluster gets its own temporary directory, ports and authentication token; the driver
runs in a subprocess; at the end only the processes of this cluster (found by its
temporary directory) are stopped.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
from test_meta import HERE, SlowLoop, comparable, make_series, xor_metagame

from spikey.meta import Population

pytest.importorskip("ray")
pytestmark = pytest.mark.ray

RAY = shutil.which("ray") or os.path.join(os.path.dirname(sys.executable), "ray")


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _processes_of(tag: str, zombies: bool = False) -> list[int]:
    """Processes whose command line names ``tag`` (this cluster's temporary directory).

    A killed daemon stays a zombie until init reaps it; those are dead and only counted
    with ``zombies=True``.
    """
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        zombie = stat[stat.rindex(")") + 2] == "Z"
        if (tag in cmd or (zombies and zombie and pid in _seen)) and (zombies or not zombie):
            _seen.add(pid)
            out.append(int(pid))
    return out


_seen: set[str] = set()


def _stop(tag: str) -> list[int]:
    """SIGTERM, then SIGKILL after 3 s, the processes of this cluster only; returns survivors."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        for pid in _processes_of(tag):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while _processes_of(tag) and time.monotonic() < deadline:
            time.sleep(0.1)
    deadline = time.monotonic() + 10  # let init reap the killed daemons (best effort)
    while _processes_of(tag, zombies=True) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _processes_of(tag)


DRIVER = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, {here!r})
    from test_meta import SlowLoop, make_series, comparable, xor_metagame
    from spikey.meta import Population, RayBackend

    backend = RayBackend(address=sys.argv[1], scheduling_strategy="SPREAD")
    series = make_series(loop=SlowLoop, training_params={{"n_episodes": 2, "len_episode": 4, "sleep": 0.4}},
                         n_repeats=2, backend=backend)
    df = series.run()
    os.environ["RAY_ADDRESS"] = sys.argv[1]  # joined through the environment this time
    population = Population(xor_metagame(), RayBackend(), n_agents=4, n_epoch=2, seed=1, logging=False)
    print(json.dumps({{"nodes": sorted({{r["worker"]["node"] for r in series.records}}),
                      "table": comparable(df).to_json(orient="split", double_precision=15),
                      "population": population.run().to_json(orient="split", double_precision=15)}}))
    """
)


@pytest.fixture
def cluster():
    """A head node and a second node (1 CPU each) on 127.0.0.1; yields (address, env)."""
    tmp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths have a length limit
    token = os.path.join(tmp, "auth_token")
    with open(token, "w") as f:
        f.write(secrets.token_hex(32))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=token, RAY_USAGE_STATS_ENABLED="0")
    p = _free_ports(13)
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", f"--temp-dir={tmp}", "--disable-usage-stats"]
    head = [
        RAY, "start", "--head", f"--port={p[0]}", "--include-dashboard=false", f"--dashboard-port={p[1]}",
        f"--dashboard-agent-listen-port={p[2]}", f"--dashboard-agent-grpc-port={p[3]}",
        f"--runtime-env-agent-port={p[4]}", f"--metrics-export-port={p[5]}", f"--node-manager-port={p[6]}",
        f"--object-manager-port={p[7]}", *common,
    ]  # fmt: skip
    second = [
        RAY, "start", f"--address=127.0.0.1:{p[0]}", f"--dashboard-agent-listen-port={p[8]}",
        f"--dashboard-agent-grpc-port={p[9]}", f"--runtime-env-agent-port={p[10]}",
        f"--metrics-export-port={p[11]}", f"--node-manager-port={p[12]}", *common,
    ]  # fmt: skip
    try:
        for cmd in (head, second):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-3000:]
        yield f"127.0.0.1:{p[0]}", env
    finally:
        survivors = _stop(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        assert not survivors, f"cluster processes still running: {survivors}"


def test_series_across_two_node_cluster(cluster, tmp_path):
    """A Series on a two-node cluster (joined by address=) uses both nodes and gives the single
    backend's table; a Population joined through RAY_ADDRESS gives the single backend's search."""
    address, env = cluster
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(here=HERE))
    done = subprocess.run(
        [sys.executable, str(script), address], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["nodes"]) == 2, out["nodes"]
    expected = make_series(
        loop=SlowLoop, training_params={"n_episodes": 2, "len_episode": 4, "sleep": 0.4}
    ).run()
    assert out["table"] == comparable(expected).to_json(orient="split", double_precision=15)
    population = Population(xor_metagame(), n_agents=4, n_epoch=2, seed=1, logging=False).run()
    assert out["population"] == population.to_json(orient="split", double_precision=15)
