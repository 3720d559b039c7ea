"""numba's caches go under the plastisim cache dir, not beside the installed sources."""
import os
import subprocess
import sys
from pathlib import Path

import plastisim as ps
from plastisim._cache import source_digest


def test_numba_caches_go_to_the_plastisim_cache_dir(tmp_path):
    package = Path(ps.__file__).parent
    cached = lambda root: {p for p in root.rglob("*") if p.suffix in (".nbi", ".nbc")}
    before = cached(package)
    script = ("import plastisim as ps\nnet = ps.Network(dt=1e-4, seed=1)\n"
              "src = net.add(ps.PoissonSource(3, 20.0))\nlif = net.add(ps.LIF(2))\n"
              "net.connect(src, lif, weight=1e-9, port='current', rule=ps.PairSTDP())\n"
              "ps.Simulator(net).run(0.01)\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    subprocess.run([sys.executable, "-c", script], check=True, env={**env, "PLASTISIM_CACHE_DIR": str(tmp_path)})
    assert cached(package) == before
    names = {p.name for p in cached(tmp_path)}
    assert any(n.startswith("plastisim_kernel_") for n in names) and any(n.startswith("sources.poisson_step") for n in names), names


def test_a_user_numba_cache_dir_is_respected(tmp_path):
    code = "import plastisim, numba; print(numba.config.CACHE_DIR)"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "mine"), "PLASTISIM_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path / "mine")
    env.pop("NUMBA_CACHE_DIR")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path / "numba" / source_digest())


def test_compiled_code_of_changed_sources_goes_to_a_new_folder(tmp_path):
    # guards the fix of: a benchmark ran the cable step compiled with the previous tree solver
    # (numba reloaded the cached cable step, its file unchanged, although the solver it calls in
    # another file had changed); the numba cache folder is named by the digest of all package
    # sources, which must change with any of them and ignore editors' hidden lock files
    (tmp_path / "morphology").mkdir()
    (tmp_path / "cable.py").write_text("def step(): pass\n")
    (tmp_path / "morphology" / "solver.py").write_text("def solve(): pass\n")
    before = source_digest(tmp_path)
    (tmp_path / "morphology" / "solver.py").write_text("def solve(): return 1\n")
    changed = source_digest(tmp_path)
    assert changed != before
    (tmp_path / ".#cable.py").symlink_to(tmp_path / "gone.py")  # dangling, as Emacs leaves it
    (tmp_path / "morphology" / ".#solver.py").write_text("def solve(): return 2\n")  # a hidden copy
    assert source_digest(tmp_path) == changed


RECURSIVE_RULE = '''
import plastisim as ps

def depth(n):
    return 0.0 if n <= 0 else 1.0 + depth(n - 1)

class Counts(ps.Rule):
    def on_pre(s, p, k):
        s.w[k] += depth(3)  # a literal argument: numba types depth for it and for int

net = ps.Network(dt=1e-4)
src = net.add(ps.SpikeTimes(1, [0], [1e-3]))
proj = net.connect(src, net.add(ps.LIF(1)), weight=0.0, port="current", rule=Counts())
ps.Simulator(net).run(3e-3)
print(proj.w[0])
'''


def test_recursive_user_helpers_run_again_in_a_new_process(tmp_path):
    """numba 0.68 segfaults loading a cached recursive function typed for several argument
    types; kernels with recursive user helpers are compiled in each process instead."""
    (tmp_path / "rule.py").write_text(RECURSIVE_RULE)
    env = {**os.environ, "PLASTISIM_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        out = subprocess.run([sys.executable, str(tmp_path / "rule.py")], env=env, capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip() == "3.0", out.stderr[-500:]
