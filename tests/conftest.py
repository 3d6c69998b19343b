"""Shared fixtures: the full synthetic demo data, generated and processed once per test session."""

from pathlib import Path

import pytest

from regiekit import store, synth

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_regions_csv() -> Path:
    path = SHARED / "reference" / "regions" / "gemeenten_2024.csv"
    if not path.exists():
        pytest.skip("shared/ is not beside the repository")
    return path


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    synth.generate(raw, synth.DEFAULT_SEED)
    return raw


@pytest.fixture(scope="session")
def demo_store(demo_raw, tmp_path_factory) -> store.Store:
    processed = store.build(demo_raw, tmp_path_factory.mktemp("processed"), {"bron": "synthetisch"})
    return store.Store.open(processed)
