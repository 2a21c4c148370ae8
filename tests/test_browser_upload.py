"""The dimension bomb uploaded on the data page in a real browser (issue #10): a message, the
store unchanged, and the server still answers every page."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from conftest import require_browser
from test_browser import CHROMIUM_ARGS, IDLE, _streamlit, shoot
from test_hostile_files import FAR, raw_sheet
from unionstats import auth, snapshots, store

pytestmark = pytest.mark.browser

PASSWORD = "upload-test-passphrase"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as reply:
            return reply.status == 200
    except OSError:
        return False


def test_dimension_bomb_upload_gets_a_message_and_the_server_survives(county, tmp_path):
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(raw_sheet(FAR, "A1:XFD1048576"))  # 549 GB as calamine would allocate it
    before = (snapshots.current_name(county), snapshots.checksums(store.resolve(county)))
    store.clear_cache()
    with _streamlit(county, **{auth.ENV: auth.hash_password(PASSWORD)}) as url:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN").new_page()
            page.goto(url + "/data")
            password = page.get_by_label("密码")
            password.wait_for(timeout=60_000)
            password.fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            upload = page.locator("[data-testid='stFileUploader']", has_text="CSV").locator("input[type='file']")
            upload.wait_for(state="attached", timeout=60_000)
            upload.set_input_files(str(bomb))
            alert = page.locator("[data-testid='stAlert']").filter(has_text="问题")
            alert.first.wait_for(timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            shoot(page, "data_upload_bomb", full_page=True)
            assert _healthy(url)
            # The problem list names the limit (the table is a canvas: read it from the CSV download).
            with page.expect_download() as download:
                page.get_by_role("button", name="下载问题清单").click()
            problems = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert "超出上限" in problems or "XFD" in problems, problems[:300]
            # Another page still opens and draws, in a new session.
            other = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="zh-CN").new_page()
            other.goto(url + "/?year=2024")
            other.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            assert other.locator("[data-testid='stException']").count() == 0
            browser.close()
    store.clear_cache()
    assert (snapshots.current_name(county), snapshots.checksums(store.resolve(county))) == before
