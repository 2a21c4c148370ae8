"""Shared fixtures: one demo database per test session, the store pointed at it, caches cleared."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.runtime import pages_manager  # noqa: E402

from unionstats import demo, importing, snapshots, store, template  # noqa: E402

# AppTest resets PagesManager.uses_pages_directory before every run, so with a pages/ folder
# each run would go through Streamlit's v1 auto-pages wrapper, which the real server uses at
# most once (st.navigation switches it off for the process). Mirror the server.
_original_init = pages_manager.PagesManager.__init__


def _init_like_server(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    pages_manager.PagesManager.uses_pages_directory = False


pages_manager.PagesManager.__init__ = _init_like_server


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "demo.duckdb"
    demo.build(path)
    return path


@pytest.fixture(scope="session")
def county_template(demo_db, tmp_path_factory) -> Path:
    """The demo county written out through the template, as staff would fill it."""
    out = tmp_path_factory.mktemp("tpl") / "county.xlsx"
    template.write(out, template.store_tables(demo_db))
    store.clear_cache()
    return out


@pytest.fixture(scope="session")
def county_store(county_template, tmp_path_factory) -> Path:
    """A store that holds the county's own data (imported, not the demo)."""
    path = tmp_path_factory.mktemp("county") / "county.duckdb"
    prepared = importing.prepare(path, county_template.name, county_template.read_bytes())
    assert not prepared.batch.problems, prepared.batch.problems[:5]
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    return path


@pytest.fixture
def county(county_store, tmp_path) -> Path:
    """A private copy of the county store for a test that writes."""
    target = tmp_path / "county.duckdb"
    shutil.copytree(snapshots.snapshot_dir(county_store), snapshots.snapshot_dir(target))
    shutil.copy(county_store, target)  # the empty base the first import created
    return target


@pytest.fixture(autouse=True)
def use_demo_db(request, monkeypatch):
    """Every test reads the session's demo database unless it points elsewhere itself."""
    if "demo_db" in request.fixturenames or request.node.get_closest_marker("needs_db"):
        monkeypatch.setenv("UNIONSTATS_DB", str(request.getfixturevalue("demo_db")))
    store.clear_cache()
    yield
    store.clear_cache()


@pytest.fixture
def db(demo_db) -> Path:
    return demo_db


def browser_available() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """Path of Debian's Chromium; skip without one, but never under CI=true."""
    found = browser_available()
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but chromium is not installed: .ci/run must apt-get install it")
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
