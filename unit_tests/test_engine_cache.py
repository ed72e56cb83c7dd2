"""The compiled engine's caches: only folders the user owns and no one else can write are
loaded from, a damaged cache is rebuilt, a full disk or no writable place never stops a run.

Most tests run a fresh Python process, since a process compiles each kernel once."""

from __future__ import annotations

import errno
import os
import pickle
import pwd
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spikey.errors import CacheWarning
from spikey.snn.engine import cache

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parent.parent

#: A network whose parts all have kernels: ticks it on the compiled engine and prints the
#: engine's name and the actions.
SCRIPT = textwrap.dedent(
    """
    import warnings
    warnings.simplefilter("always")
    import spikey
    net = spikey.network.RLNetwork(
        engine=ENGINE, seed=0,
        inputs=spikey.input.RateMap, neurons=spikey.neuron.Neuron, weights=spikey.weight.Random,
        synapses=spikey.synapse.MSTDPET, readout=spikey.readout.Threshold,
        rewarder=spikey.reward.MatchExpected,
        n_inputs=4, n_neurons=6, n_outputs=2, processing_time=20, magnitude=1.0,
        firing_threshold=1.5, potential_decay=0.2, refractory_period=1, prob_rand_fire=0.05,
        state_rate_map=[0.05, 0.4], density=0.7, learning_rate=0.2, action_threshold=0.05,
        expected_value=lambda s: 0,
    )
    net.reset()
    actions = [net.tick((k % 2, 1)) for k in range(3)]
    print("engine", type(net.engine).__name__, "actions", actions)
    """
)


class Marker:
    """A pickle that, when loaded, creates a file: the planted 'code' of the tests."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def env_for(base: Path | None = None, numba_dir: Path | None = None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SPIKEY_CACHE_DIR", "NUMBA_CACHE_DIR")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if base is not None:
        env["SPIKEY_CACHE_DIR"] = str(base)
    if numba_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(numba_dir)
    env.update(extra)
    return env


def run_script(env: dict, engine: str = "numba", user: int | None = None, cwd: str | None = None):
    """Run SCRIPT in a fresh process (as ``user`` if given); the finished process."""
    kwargs = {}
    if user is not None:
        kwargs["user"], kwargs["group"] = user, pwd.getpwuid(user).pw_gid
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("ENGINE", repr(engine))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd or str(ROOT),
        **kwargs,
    )


def plant(folder: Path, marker: Path) -> int:
    """Replace every numba index under ``folder`` with a pickle that creates ``marker``."""
    n = 0
    for index in folder.rglob("*.nbi"):
        index.write_bytes(pickle.dumps(Marker(str(marker))))
        n += 1
    return n


def test_world_writable_cache_folder_is_refused_and_its_code_never_runs(tmp_path):
    """An engine cache that others can write is refused with one warning naming it: code
    planted in it (numba's pickled index) never runs, and the network still runs compiled."""
    base = tmp_path / "cache"
    first = run_script(env_for(base))
    assert first.returncode == 0, first.stderr
    assert plant(base, tmp_path / "x") > 0  # the compiled kernels were cached there
    for folder in (base / "engine", base / "numba"):
        folder.chmod(0o777)
    marker = tmp_path / "marker"
    plant(base, marker)
    second = run_script(env_for(base))
    assert second.returncode == 0, second.stderr
    assert not marker.exists()
    assert "engine NumbaEngine" in second.stdout
    assert f"not using the engine cache folder {base / 'engine'}" in second.stderr
    assert "can be written by its group and others (mode 0o777)" in second.stderr
    assert second.stderr.count("CacheWarning") == 2  # one per refused folder (engine, numba)


def test_planted_numba_cache_dir_is_refused(tmp_path):
    """``$NUMBA_CACHE_DIR`` pointing at a folder others can write is refused too."""
    base, shared = tmp_path / "own", tmp_path / "shared"
    assert run_script(env_for(base, numba_dir=shared)).returncode == 0
    shared.chmod(0o777)
    marker = tmp_path / "marker"
    assert plant(shared, marker) > 0
    proc = run_script(env_for(base, numba_dir=shared))
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert f"not using the numba cache folder {shared}" in proc.stderr


def test_symlinked_cache_folder_is_refused(tmp_path):
    """A cache folder that is a symbolic link (to a folder of the user's own) is refused."""
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    (base / "engine").symlink_to(real)
    proc = run_script(env_for(base))
    assert proc.returncode == 0, proc.stderr
    assert "is a symbolic link" in proc.stderr
    assert not list(real.iterdir())


def test_folder_problem_names_each_unsafe_property(tmp_path):
    """folder_problem accepts a private folder and names what is wrong with the others."""
    good = tmp_path / "good"
    good.mkdir(mode=0o700)
    assert cache.folder_problem(good) is None
    shared = tmp_path / "group"
    shared.mkdir()
    shared.chmod(0o770)
    assert "can be written by its group" in cache.folder_problem(shared)
    inside = shared / "child"
    inside.mkdir(mode=0o700)
    assert "has a parent" in cache.folder_problem(inside) and "not sticky" in cache.folder_problem(inside)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / "child").mkdir(mode=0o700)
    assert cache.folder_problem(sticky / "child") is None  # as in /tmp
    assert "is not a folder" in cache.folder_problem(_touch(tmp_path / "file"))
    assert "cannot be examined" in cache.folder_problem(tmp_path / "missing")


def _touch(path: Path) -> Path:
    path.write_text("")
    return path


def _other_user() -> int | None:
    if not hasattr(os, "getuid") or os.getuid() != 0:
        return None
    for name in ("nobody", "daemon"):
        try:
            return pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
    return None


def _readable_by_all(path: Path) -> bool:
    """Whether any account can read ``path`` and reach it through its parents."""
    path = Path(os.path.realpath(path))
    if not os.stat(path).st_mode & stat.S_IROTH:
        return False
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in path.parents)


@pytest.fixture
def other_user():
    uid = _other_user()
    if uid is None:
        pytest.skip("needs root to run a process as another account")
    if not _readable_by_all(ROOT) or not _readable_by_all(Path(sys.executable)):
        pytest.skip("the checkout or the Python install cannot be read by another account")
    return uid


def test_other_account_cannot_plant_the_fallback_folder(other_user, tmp_path):
    """A user with no writable HOME and a root-owned install still runs compiled (a private
    cache folder), and code planted by another account in the old predictable temporary
    folder name, or in a shared folder, never runs."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    marker = tmp_path / "marker"
    tmp_path.chmod(0o777)
    # what the previous fallback used: <tmp>/spikey-engine-<uid>, made first by someone else
    planted = tmp / f"spikey-engine-{other_user}"
    planted.mkdir()
    planted.chmod(0o777)
    (planted / "__pycache__").mkdir()
    (planted / "__pycache__" / "planted.nbi").write_bytes(pickle.dumps(Marker(str(marker))))
    env = env_for(HOME="/nonexistent", TMPDIR=str(tmp), XDG_CACHE_HOME="/nonexistent/.cache")
    proc = run_script(env, engine="auto", user=other_user, cwd=str(tmp))
    assert proc.returncode == 0, proc.stderr
    assert "engine NumbaEngine" in proc.stdout
    assert "no locator" not in proc.stderr
    assert not marker.exists()
    assert "using a private temporary folder" in proc.stderr


def test_damaged_numba_cache_is_rebuilt_once_with_a_warning(tmp_path):
    """A truncated index and garbage data files give a warning and a fresh compile; the
    next process loads the rewritten cache silently."""
    base = tmp_path / "cache"
    assert run_script(env_for(base)).returncode == 0
    indexes, data = list(base.rglob("*.nbi")), list(base.rglob("*.nbc"))
    assert indexes and data
    for f in indexes[::2]:
        f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])
    for f in data[1::2]:
        f.write_bytes(b"garbage" * 10)
    damaged = run_script(env_for(base))
    assert damaged.returncode == 0, damaged.stderr
    assert "is damaged" in damaged.stderr and "compiling it again" in damaged.stderr
    again = run_script(env_for(base))
    assert again.returncode == 0 and "CacheWarning" not in again.stderr, again.stderr
    assert again.stdout == damaged.stdout


def test_full_disk_compiles_without_the_cache(tmp_path, monkeypatch):
    """A write that fails (ENOSPC) warns once, leaves no temporary file and runs uncached."""
    from spikey.snn.engine import compiled

    base = tmp_path / "cache"
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(base))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    real_open = os.fdopen

    def full(fd, *a, **k):
        f = real_open(fd, *a, **k)

        class Full:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()
                return False

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        return Full()

    monkeypatch.setattr(cache.os, "fdopen", full)
    from test_engine import run, small

    with pytest.warns(CacheWarning, match="No space left on device"):
        out = run(small("numba"), 2)
    assert out[0][0] in (0, 1)
    assert not [p for p in (base / "engine").iterdir() if p.name.endswith(".tmp")]
    assert not list((base / "engine").glob("tick_*.py"))


def test_folder_in_place_of_a_tick_file_compiles_without_the_cache(tmp_path, monkeypatch):
    """A folder where a generated module should be gives a warning naming it, not an
    IsADirectoryError, and the network runs."""
    from test_engine import run, small

    from spikey.snn.engine import compiled

    base = tmp_path / "cache"
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(base))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    run(small("numba"), 1)
    (path,) = (base / "engine").glob("tick_*.py")
    path.unlink()
    path.mkdir()
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    monkeypatch.setattr(cache, "_warned", set())
    with pytest.warns(CacheWarning, match=f"cannot use the engine cache file {path}"):
        out = run(small("numba"), 2)
    assert out[0][0] in (0, 1) and path.is_dir()


def test_write_new_never_follows_a_planted_link(tmp_path):
    """The temporary file is created with O_EXCL|O_NOFOLLOW under a random name: a link
    planted at a predictable temporary name is never written through."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    target = tmp_path / "tick_x.py"
    for pid_name in (f".tick_x.py.{os.getpid()}.tmp",):
        (tmp_path / pid_name).symlink_to(victim)
    cache.write_new(target, "print('hi')\n")
    assert victim.read_text() == "keep" and target.read_text() == "print('hi')\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_no_writable_folder_anywhere_compiles_uncached(tmp_path, monkeypatch):
    """With neither the cache folder nor the temporary folder writable, kernels compile
    without a cache and the network runs (engine auto and numba alike)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tempfile, os\n"
            "def no(*a, **k): raise PermissionError(13, 'Permission denied')\n"
            "tempfile.mkdtemp = no\n" + SCRIPT.replace("ENGINE", "'numba'"),
        ],
        env=env_for(Path("/proc/no-such-place/cache")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "engine NumbaEngine" in proc.stdout
    assert "compiled without a cache" in proc.stderr or "compiling without a cache" in proc.stderr


def test_cache_command_shows_clears_and_warms(tmp_path, monkeypatch, capsys):
    """`spikey cache path` says where the caches are and whether they are trusted,
    `warm` compiles the stock networks into them, `clear` removes them."""
    from test_engine import small

    from spikey.cli import main
    from spikey.testing import networks

    base = tmp_path / "cache"
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(base))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(base / "numba"))
    from spikey.snn.engine import compiled

    monkeypatch.setattr(compiled, "_drivers", {})  # compile anew: this process may have the loop already
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    spec = networks.NetworkSpec("small", lambda seed, engine: small(engine, seed), lambda rng, t: (0, 1), 2)
    monkeypatch.setattr(networks, "STOCK_NETWORKS", {"small": spec})
    assert main(["cache", "path"]) == 0
    assert f"engine  {base / 'engine'}  (not created yet)" in capsys.readouterr().out
    assert main(["cache", "warm"]) == 0
    assert "compiled 1 stock networks" in capsys.readouterr().out
    assert list((base / "engine").glob("tick_*.py"))
    (base / "numba").chmod(0o777)
    assert main(["cache", "path"]) == 0
    out = capsys.readouterr().out
    assert f"engine  {base / 'engine'}  (trusted)" in out and "refused: it can be written by" in out
    assert main(["cache", "clear"]) == 0
    assert f"removed {base / 'engine'}" in capsys.readouterr().out
    assert not (base / "engine").exists() and (base / "numba").exists()  # a refused folder is left alone
