"""数据管理 page: login, upload with preview, confirm, undo, targets; the running app shows new
data without a restart (issue #5)."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ADMIN_PASSWORD, open_page, run_cli
from test_importing import aid_file, units_file, unit_row
from unionstats import auth, indicators, snapshots, store

PASSWORD = ADMIN_PASSWORD


def data_page() -> AppTest:
    return open_page("pages/data.py", timeout=120)


def log_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input[0].set_value(password)
    at.button[0].click().run()  # the login form's submit button
    return at


def test_viewing_needs_no_login_and_writes_need_one(county_copy):
    at = data_page()
    assert not at.exception
    assert len(at.file_uploader) == 0          # no import without login
    assert at.get("download_button")           # the template is for everyone
    log_in(at, "wrong password")
    assert any("密码不正确" in e.value for e in at.error)
    assert len(at.file_uploader) == 0
    log_in(at)
    assert not at.exception
    assert [u.key for u in at.file_uploader] == ["upload", "map_file"]  # data, and township outlines


def test_without_a_password_the_page_says_how(county_copy, monkeypatch, tmp_path):
    monkeypatch.delenv(auth.ENV)
    monkeypatch.setattr(auth, "SECRETS_FILE", tmp_path / "none.toml")
    at = data_page()
    assert any("set-password" in i.value for i in at.info)


def test_upload_preview_confirm_then_undo(county_copy):
    before = indicators.summary(2024, path=county_copy)["aid_households"]
    at = log_in(data_page())
    at.file_uploader[0].set_value(("帮扶.xlsx", aid_file([2024, "城关镇", "送温暖", 500, 0, 90000]),
                                   "application/octet-stream")).run()
    assert not at.exception
    assert any("导入前" in str(d.value.columns.tolist()) for d in at.dataframe)
    counts = next(d for d in at.dataframe if "导入后行数" in d.value.columns)
    shown = json.loads(counts.proto.columns)  # row counts grouped by thousands (400,000), as figures are
    assert all(shown[c]["type_config"]["format"] == "localized" for c in ("导入前行数", "导入后行数")), shown
    assert indicators.summary(2024, path=county_copy)["aid_households"] == before  # preview only
    at.button(key="confirm_import").click().run()
    assert not at.exception
    after = indicators.summary(2024, path=county_copy)["aid_households"]
    assert after != before
    # The running app shows the new figure on its next page view, without a restart.
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["帮扶户次"] == f"{after}户次"
    at.switch_page("pages/data.py").run()
    at.button(key="undo").click().run()
    assert not at.exception
    assert indicators.summary(2024, path=county_copy)["aid_households"] == before


def test_bad_upload_lists_problems_and_changes_nothing(county_copy):
    before = snapshots.current_name(county_copy), snapshots.checksums(store.resolve(county_copy))
    at = log_in(data_page())
    at.file_uploader[0].set_value(("单位.xlsx", units_file(unit_row(会员人数=999)), "application/octet-stream")).run()
    assert not at.exception
    assert any("1 个问题" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert problems.iloc[0]["行"] == 2 and "不能大于职工人数" in problems.iloc[0]["问题"]
    store.clear_cache()
    assert (snapshots.current_name(county_copy), snapshots.checksums(store.resolve(county_copy))) == before


def test_edit_targets_and_note(county_copy):
    at = log_in(data_page())
    at.selectbox(key="targets_year").set_value(2024).run()
    at.text_area(key="note_2024").set_value("年度要点：测试").run()
    at.button(key="save_targets").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    notes = store.query("notes", path=county_copy, years=(2024,))
    assert notes.set_index("region_code").loc["", "text"] == "年度要点：测试"
    assert indicators.targets(2024, path=county_copy)[("unionization_rate", "")] == pytest.approx(0.46)


def test_password_is_stored_only_as_a_salted_hash(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('other = "kept"\n', encoding="utf-8")
    auth.set_password("s3cret-words", secrets)
    text = secrets.read_text(encoding="utf-8")
    assert "s3cret-words" not in text and "pbkdf2_sha256$" in text and 'other = "kept"' in text
    monkeypatch.delenv(auth.ENV, raising=False)
    assert auth.attempt("s3cret-words", "test", secrets_file=secrets, throttle=auth.Throttle()).ok
    assert auth.hash_password("x") != auth.hash_password("x")  # salted
    with pytest.raises(ValueError):
        auth.set_password("short", secrets)


def test_set_password_command(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    monkeypatch.setenv("UNIONSTATS_SECRETS", str(secrets))
    monkeypatch.delenv(auth.ENV, raising=False)
    done = run_cli("set-password", "--stdin", stdin="a-long-password\n")
    assert done.returncode == 0, done.stderr
    assert "a-long-password" not in secrets.read_text(encoding="utf-8")
    assert auth.attempt("a-long-password", "test", secrets_file=secrets, throttle=auth.Throttle()).ok
    done = run_cli("set-password", "--stdin", stdin="short\n")
    assert done.returncode == 2 and "至少 10 个字符" in done.stderr


def test_county_name_and_survey_year_basis(county_copy):
    at = log_in(data_page())
    form_inputs = [box for box in at.text_input if box.label.startswith("县名")]
    form_inputs[0].set_value("测试县")
    at.radio[0].set_value("survey")
    at.button(key="FormSubmitter:settings-保存").click().run()
    assert not at.exception
    assert store.setting("county_name_zh", path=county_copy) == "测试县"
    assert store.setting("year_basis", path=county_copy) == "survey"
    at.switch_page("pages/overview.py").run()
    assert at.title[0].value.startswith("测试县")
    assert any("工会统计年度" in c.value for c in at.caption)  # shown on every page while in force


def test_second_batch_shows_removals_and_asks_replace_or_merge(county_copy):
    """Issue #11: a township's register in two files. The page lists what 替换 would remove and waits
    for a choice; 合并 keeps the first batch."""
    from test_import_modes import names_in, publish, register, workbook
    whole = register(county_copy, "chengguan", 2024, 2025)
    first, second = whole.iloc[::2], whole.iloc[1::2]
    publish(county_copy, "第一批.xlsx", workbook(county_copy, first))
    at = log_in(data_page())
    at.file_uploader[0].set_value(("城关镇第二批.xlsx", workbook(county_copy, second), "application/octet-stream")).run()
    assert not at.exception
    assert any(f"将删除以下 {len(first)} 条单位数据" in w.value for w in at.warning)
    shown = next(d.value for d in at.dataframe if "单位名称" in d.value.columns)
    assert set(shown["单位名称"]) == set(first["name"]) and len(shown) == len(first)
    assert set(shown["乡镇"]) == {"城关镇"} and set(shown["年度"]) == {2025}
    choice = next(r for r in at.radio if r.label == "导入方式")
    assert [o.split("：")[0] for o in choice.options] == ["替换", "合并"] and choice.value is None
    assert not [b for b in at.button if b.key == "confirm_import"]  # nothing to confirm before a choice
    assert names_in(county_copy, "chengguan", 2025) == set(first["name"])  # nothing written yet

    choice.set_value("merge").run()
    assert not at.exception
    at.button(key="confirm_import").click().run()
    assert not at.exception
    assert names_in(county_copy, "chengguan", 2025) == set(whole["name"])
    assert any("已导入" in s.value for s in at.success)


def test_second_batch_replace_removes_the_listed_units(county_copy):
    from test_import_modes import names_in, publish, register, workbook
    whole = register(county_copy, "chengguan", 2024, 2025)
    first, second = whole.iloc[::2], whole.iloc[1::2]
    publish(county_copy, "第一批.xlsx", workbook(county_copy, first))
    at = log_in(data_page())
    at.file_uploader[0].set_value(("城关镇.xlsx", workbook(county_copy, second), "application/octet-stream")).run()
    next(r for r in at.radio if r.label == "导入方式").set_value("replace").run()
    at.button(key="confirm_import").click().run()
    assert not at.exception
    assert names_in(county_copy, "chengguan", 2025) == set(second["name"])


def test_a_file_named_for_another_township_warns_before_the_confirm(county_copy):
    """Found by a user trial: 南山乡's file holding 城关镇's rows replaced 城关镇's figures after a
    preview that said nothing of it. The preview now warns above the confirm button; nothing is
    written before the confirm."""
    before = indicators.summary(2024, path=county_copy)["aid_households"]
    at = log_in(data_page())
    at.file_uploader[0].set_value(("南山乡2024年帮扶.xlsx", aid_file([2024, "城关镇", "送温暖", 500, 0, 90000]),
                                   "application/octet-stream")).run()
    assert not at.exception
    warned = [w.value for w in at.warning if "文件名" in w.value]
    assert len(warned) == 1
    assert "南山乡" in warned[0] and "将替换城关镇 2024 年已有的数据" in warned[0]
    assert [b for b in at.button if b.key == "confirm_import"]  # a warning, not a refusal
    assert indicators.summary(2024, path=county_copy)["aid_households"] == before
    # the same rows in a file named for their own township: no such warning
    at.file_uploader[0].set_value(("城关镇2024年帮扶.xlsx", aid_file([2024, "城关镇", "送温暖", 501, 0, 90000]),
                                   "application/octet-stream")).run()
    assert not at.exception
    assert not [w for w in at.warning if "文件名" in w.value]
