"""Fixtures for mxc's Python tests (run by ctest `python`, which sets
PYTHONPATH to the built package and names the build's tools and the
stand-in HIP runtime in the environment)."""

import os

import pytest

import mxc


@pytest.fixture(scope="session")
def sim():
    with mxc.Device("sim:gfx950") as device:
        yield device


@pytest.fixture(scope="session")
def gemm_fp8():
    """MXFP8 x MXFP8, N = 64, K = 128, f32 out, one kernel for every M."""
    return mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=128, out="f32", m_buckets=None)


@pytest.fixture(scope="session")
def tools_dir():
    path = os.environ.get("MXC_TOOLS_DIR")
    if not path:
        pytest.skip("MXC_TOOLS_DIR (the built mxc's directory) is not set")
    return path
