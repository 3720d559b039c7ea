"""Where plastisim caches compiled code; imported before numba.

``ROOT`` is ``$PLASTISIM_CACHE_DIR`` or ``~/.cache/plastisim``. numba's own caches
(``cache=True`` kernels of the package and of generated modules) go to ``ROOT/numba``
instead of ``__pycache__`` beside the sources, unless ``NUMBA_CACHE_DIR`` is set already.
"""
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("PLASTISIM_CACHE_DIR") or Path.home() / ".cache" / "plastisim")

if not os.environ.get("NUMBA_CACHE_DIR"):
    os.environ["NUMBA_CACHE_DIR"] = str(ROOT / "numba")
    if "numba" in sys.modules:  # imported before plastisim: its config was read already
        sys.modules["numba"].config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
