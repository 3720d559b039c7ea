"""Where plastisim caches compiled code; imported before numba.

``ROOT`` is ``$PLASTISIM_CACHE_DIR`` or ``~/.cache/plastisim``. numba's own caches
(``cache=True`` kernels of the package and of generated modules) go to
``ROOT/numba/<source digest>`` instead of ``__pycache__`` beside the sources, unless
``NUMBA_CACHE_DIR`` is set already. numba invalidates a cached function when its own file
changes, not when a function it calls from another file does (a solver compiled into the cable
step, say), so the code compiled from one version of the package's sources lives in a folder
of its own (:func:`source_digest`).
"""
import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("PLASTISIM_CACHE_DIR") or Path.home() / ".cache" / "plastisim")


def source_digest(package=Path(__file__).parent):
    """SHA-1 (12 hex digits) of the names and contents of the ``.py`` files under ``package``
    (regular files; hidden ones, such as an editor's lock files, left out)."""
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package)
        if path.is_file() and not any(part.startswith(".") for part in name.parts):
            digest.update(name.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


if not os.environ.get("NUMBA_CACHE_DIR"):
    os.environ["NUMBA_CACHE_DIR"] = str(ROOT / "numba" / source_digest())
    if "numba" in sys.modules:  # imported before plastisim: its config was read already
        sys.modules["numba"].config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
