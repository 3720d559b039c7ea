"""The Python example in the README runs and does what it says (spikes, learning, checkpoint)."""
import re
from pathlib import Path


def test_readme_python_example(tmp_path, monkeypatch):
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(code, scope)
    assert len(scope["spikes"].t) > 100  # the background drive makes the neurons fire
    assert abs(scope["syn"].w.mean() - 2e-9) > 1e-11  # and the synapses learn
    assert (tmp_path / "state.h5").exists()
