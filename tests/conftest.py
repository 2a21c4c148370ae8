"""Shared fixtures: one demo database per test session, the store pointed at it, caches cleared."""
from __future__ import annotations

import io
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

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


def pytest_collection_modifyitems(items):
    """A browser test is a slow test: `pytest -m "not slow"` is the quick loop."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


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


ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def county_copy(county, monkeypatch):
    """A private copy of the county store in force, with the admin password ADMIN_PASSWORD set."""
    from unionstats import auth
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    monkeypatch.setenv(auth.ENV, auth.hash_password(ADMIN_PASSWORD))
    store.clear_cache()
    return county


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


def open_page(page: str = "pages/overview.py", timeout: int = 90, **query: str) -> AppTest:
    """The dashboard in AppTest, opened with the URL's query parameters and switched to `page`;
    a page that raises fails the test here."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def section_tabs(at: AppTest) -> tuple[str, list[str]] | None:
    """The key and labels of the page's lazy section tabs (app.section_tabs), or None."""
    for block in at.get("tab_container"):
        return block.proto.id.split("-", 2)[2], [tab.label for tab in block.children.values()]  # $$ID-hash-key
    return None


def open_section(at: AppTest, label: str) -> AppTest:
    """Open the tab `label` as a click would: AppTest has no tab click, but the open tab is its
    key's value in session state before the run."""
    key, labels = section_tabs(at)
    assert label in labels, (label, labels)
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at


def each_section(at: AppTest):
    """The page once per section tab, each opened in turn (only the open one's content is drawn);
    a page without section tabs once, as it is."""
    found = section_tabs(at)
    if found is None:
        yield at
        return
    for label in found[1]:
        yield open_section(at, label)


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, db: Path | None = None, stdin: str | None = None) -> Done:
    """`python -m unionstats ARGS` run in this process (test_cli.py keeps one end-to-end run in a
    child process): exit code, stdout and stderr as a child process would give them."""
    from unionstats import cli
    out, err = io.StringIO(), io.StringIO()
    env = {"UNIONSTATS_DB": str(db)} if db is not None else {}
    fake_stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    with mock.patch.dict(os.environ, env), mock.patch.object(sys, "stdin", fake_stdin), \
            redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse: --help, or a usage error
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    store.clear_cache()
    return Done(code, out.getvalue(), err.getvalue())
