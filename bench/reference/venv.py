"""The reference's own virtual environment, outside the repository: Stalker 1.1.2.1 and psycopg2.

Usage: python bench/reference/venv.py  (prints the interpreter's path; creates the venv on first use)
Location: $STALKER_BENCH_REF_VENV, else ~/.cache/stalker-bench/ref-venv.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = ("stalker==1.1.2.1", "psycopg2-binary")
DRIVER = Path(__file__).with_name("driver.py")


def ensure_reference_python() -> Path:
    """The reference venv's python, created and filled with pip on first use."""
    default = Path.home() / ".cache" / "stalker-bench" / "ref-venv"
    venv = Path(os.environ.get("STALKER_BENCH_REF_VENV", default))
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import stalker, psycopg2; assert stalker.__version__ == '1.1.2.1'"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)
    subprocess.run(check, check=True)
    return python


if __name__ == "__main__":
    print(ensure_reference_python())
