"""examples/python/mxfp8_linear.py runs and passes its own checks."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "mxfp8_linear.py"


@pytest.mark.parametrize("sizes", [[], ["--m", "1", "--n", "64", "--k", "96"]])
def test_mxfp8_linear_example(sizes):
    run = subprocess.run([sys.executable, str(EXAMPLE), *sizes], capture_output=True, text=True,
                         env=os.environ)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bit-exact against NumPy" in run.stdout
    assert " 0 of " in run.stdout and run.stdout.rstrip().endswith("PASS")
