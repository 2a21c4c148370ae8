"""Writers and readers at the same time (issue #10, items 1, 2 and 9): two imports at once,
readers during publishes, one snapshot per page run, and true messages when a write fails."""
from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from unionstats import cli, importing, indicators, snapshots, store, template
from unionstats.indicators import Scope

AID_HEADER = ["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"]
PUBLISHED = re.compile(r"已导入并发布快照 (\d{6}\.duckdb)")


def aid_file(region: str, households: int) -> bytes:
    return template.sheet_bytes({"帮扶": [AID_HEADER, [2024, region, "送温暖", households, 0, households * 100]]})


def aid_households(file: Path, region: str) -> int:
    """送温暖 households of one township in 2024, read straight from one database file."""
    with store.cursor(file) as cur:
        return int(cur.execute("SELECT households FROM aid WHERE year = 2024 AND region_code = ? "
                               "AND program_code = 'songnuan'", [region]).fetchone()[0])


def region_codes(path: Path) -> dict[str, str]:
    frame = store.query("regions", path=path)
    return dict(zip(frame["name_zh"], frame["code"]))


def run_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "unionstats", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_two_imports_started_together_both_land_and_report_the_truth(county, tmp_path):
    codes = region_codes(county)
    a_region, b_region = codes["城关镇"], next(c for n, c in codes.items() if n != "城关镇")
    for round_ in range(20):
        a, b = tmp_path / f"a{round_}.xlsx", tmp_path / f"b{round_}.xlsx"
        a.write_bytes(aid_file("城关镇", 1000 + round_))
        b.write_bytes(aid_file(b_region, 2000 + round_))
        procs = [run_cli("import", str(f), "--db", str(county)) for f in (a, b)]
        outputs = [p.communicate(timeout=120) for p in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0, err
            assert "Traceback" not in err
        names = [PUBLISHED.search(err).group(1) for _, err in outputs]
        assert names[0] != names[1], "both imports claimed one snapshot"
        folder = snapshots.snapshot_dir(county)
        # What each process reported is true: its snapshot holds its own file's figures…
        assert aid_households(folder / names[0], a_region) == 1000 + round_
        assert aid_households(folder / names[1], b_region) == 2000 + round_
        # …and the later one, built on the earlier one, is in force with both imports in it.
        last = max(names)
        assert snapshots.current_name(county) == last
        assert aid_households(folder / last, a_region) == 1000 + round_
        assert aid_households(folder / last, b_region) == 2000 + round_
        published = [r["snapshot"] for r in snapshots.history(county) if r.get("outcome") == "published"]
        assert set(names) <= set(published)
        store.clear_cache()


@pytest.mark.slow
def test_a_second_writer_is_told_to_wait_and_a_killed_writer_releases_the_lock(county):
    prepared = importing.prepare(county, "x.xlsx", aid_file("城关镇", 4321))
    assert prepared.candidate is not None
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from unionstats import snapshots\n"
        "with snapshots.writer_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); time.sleep(600)"), str(county)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshots.current_name(county)
        with pytest.raises(snapshots.Busy, match="另一个导入正在进行，请稍后再试"):
            with snapshots.writer_lock(county, wait=0.2):
                pass
        snapshots.LOCK_WAIT, saved = 0.2, snapshots.LOCK_WAIT
        try:
            with pytest.raises(store.StoreError, match="另一个导入正在进行"):
                snapshots.publish(prepared.candidate)
        finally:
            snapshots.LOCK_WAIT = saved
        assert snapshots.current_name(county) == before
    finally:
        holder.kill()
        holder.wait()
    with snapshots.writer_lock(county, wait=5):  # the OS released the dead process's lock
        pass


def test_a_candidate_prepared_before_another_publish_is_refused_not_published(county):
    first = importing.prepare(county, "a.xlsx", aid_file("城关镇", 111))
    second = importing.prepare(county, "b.xlsx", aid_file("城关镇", 222))
    assert first.candidate.file != second.candidate.file  # never one name for two candidates
    snapshots.publish(second.candidate)
    with pytest.raises(store.StoreError, match="数据已被他人更新"):
        snapshots.publish(first.candidate)
    assert snapshots.current_name(county) == second.candidate.file.name
    assert not first.candidate.file.exists()


@pytest.mark.slow
def test_twelve_readers_see_no_error_during_ten_publishes(county, tmp_path):
    """Readers in this process (as the app's sessions), publishes by the CLI in another."""
    code = region_codes(county)["城关镇"]
    values = [5000 + i for i in range(10)]
    seen, errors, reads, stop = set(), [], [0], threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.add(int(indicators.table(Scope(), "county", (2024,), county)["aid_households"].iloc[0]))
                reads[0] += 1
                store.clear_results()  # so the next read runs a query again
            except Exception as exc:  # noqa: BLE001 - any error at all is a failure here
                errors.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(12)]
    for th in threads:
        th.start()
    try:
        for value in values:
            source = tmp_path / f"r{value}.xlsx"
            source.write_bytes(aid_file("城关镇", value))
            done = subprocess.run([sys.executable, "-m", "unionstats", "import", str(source), "--db", str(county)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=120,
                                  env=dict(os.environ, UNIONSTATS_KEEP_SNAPSHOTS="100"))
            assert done.returncode == 0, done.stderr
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert errors == []
    assert reads[0] > 100
    # Every value read is the total of one whole snapshot: never a mix, never a half-written file.
    totals = set()
    for file in snapshots.snapshot_dir(county).glob("*.duckdb"):
        with store.cursor(file) as cur:
            totals.add(int(cur.execute("SELECT sum(households) FROM aid WHERE year = 2024").fetchone()[0]))
    assert seen <= totals and len(seen) > 1
    assert aid_households(store.resolve(county), code) == values[-1]


def test_a_pinned_run_reads_one_snapshot_while_others_see_the_new_one(county):
    before = indicators.summary(2024, path=county)["aid_households"]
    store.pin(county)
    try:
        prepared = importing.prepare(county, "x.xlsx", aid_file("城关镇", 7777))
        snapshots.publish(prepared.candidate)
        assert indicators.summary(2024, path=county)["aid_households"] == before
        seen = []
        other = threading.Thread(target=lambda: seen.append(indicators.summary(2024, path=county)["aid_households"]))
        other.start()
        other.join()
        assert seen[0] != before
        store.pin(county)  # the next page run
        assert indicators.summary(2024, path=county)["aid_households"] == seen[0]
    finally:
        store.unpin()


def _state(path: Path) -> tuple:
    folder = snapshots.snapshot_dir(path)
    files = sorted((p.name, p.stat().st_size) for p in folder.iterdir())
    return snapshots.current_name(path), files, (folder / snapshots.HISTORY).read_bytes()


def test_dry_run_writes_nothing(county, tmp_path, capsys):
    source = tmp_path / "x.xlsx"
    source.write_bytes(aid_file("城关镇", 4242))
    before = _state(county)
    assert cli.main(["import", str(source), "--db", str(county), "--dry-run"]) == 0
    assert "帮扶" in capsys.readouterr().out  # the preview was printed
    assert _state(county) == before
    fresh = tmp_path / "new" / "fresh.duckdb"
    fresh.parent.mkdir()
    county_file = tmp_path / "regions.xlsx"
    county_file.write_bytes(template.sheet_bytes({"乡镇": [["代码", "名称", "英文名称", "类型"],
                                                          ["a", "甲镇", "Jia", "镇"]]}))
    cli.main(["import", str(county_file), "--db", str(fresh), "--dry-run"])
    assert list(fresh.parent.iterdir()) == []


def test_disk_full_while_building_changes_nothing_and_says_so(county, tmp_path):
    source = tmp_path / "x.xlsx"
    source.write_bytes(aid_file("城关镇", 4343))
    before = _state(county)
    # A file-size limit makes every write past 200 KB fail as on a full disk (EFBIG).
    script = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000)); "
              "from unionstats import cli; sys.exit(cli.main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", script, "import", str(source), "--db", str(county)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "磁盘空间不足" in done.stderr and "Traceback" not in done.stderr
    assert _state(county) == before


def test_failure_at_the_pointer_switch_leaves_history_true_and_no_temp_file(county, monkeypatch):
    prepared = importing.prepare(county, "x.xlsx", aid_file("城关镇", 4444))
    before = snapshots.current_name(county)
    real_replace = os.replace

    def full(src, dst):
        if Path(dst).name == snapshots.POINTER:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(snapshots.os, "replace", full)
    with pytest.raises(store.StoreError, match="磁盘空间不足"):
        snapshots.publish(prepared.candidate)
    assert snapshots.current_name(county) == before
    assert not (snapshots.snapshot_dir(county) / "CURRENT.tmp").exists()
    assert not any(r.get("snapshot") == prepared.candidate.file.name and r.get("outcome") == "published"
                   for r in snapshots.history(county))


def test_an_unwritable_store_still_shows_the_file_problems(county, monkeypatch):
    bad = template.sheet_bytes({"帮扶": [AID_HEADER, [2024, "没有这个镇", "送温暖", 1, 0, 1]]})
    real_open = open

    def read_only(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax+"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", read_only)
    prepared = importing.prepare(county, "bad.xlsx", bad)
    assert any("没有这个镇" in p.message for p in prepared.batch.problems)
    good = aid_file("城关镇", 1)
    monkeypatch.setattr(snapshots.os, "open", lambda *a, **k: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(store.StoreError, match="没有写入权限"):
        importing.prepare(county, "x.xlsx", good)


@pytest.mark.parametrize("damage", ["not_utf8", "directory", "missing_snapshot"])
def test_a_damaged_pointer_gets_a_true_message_and_the_command_that_fixes_it(county, damage, capsys):
    folder = snapshots.snapshot_dir(county)
    pointer = folder / snapshots.POINTER
    in_force = snapshots.current_name(county)
    if damage == "not_utf8":
        pointer.write_bytes(b"\xff\xfe\x00garbage")
    elif damage == "directory":
        pointer.unlink()
        pointer.mkdir()
    else:
        prepared = importing.prepare(county, "x.xlsx", aid_file("城关镇", 4545))
        snapshots.publish(prepared.candidate)
        store.clear_cache()
        (folder / prepared.candidate.file.name).unlink()
    store.clear_cache()
    assert cli.main(["summary", "--year", "2024", "--db", str(county)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "demo" not in err  # rebuilding the demo is not the fix
    assert f"undo --to {in_force}" in err
    # The command the message gives works, and the store is whole again.
    assert cli.main(["undo", "--to", in_force, "--db", str(county)]) == 0
    store.clear_cache()
    assert cli.main(["summary", "--year", "2024", "--db", str(county)]) == 0


def test_a_database_of_another_duckdb_version_is_named_as_such(county, monkeypatch):
    def newer(*args, **kwargs):
        raise duckdb.IOException("IO Error: Trying to read a database file with version number 99, "
                                 "but we can only read version 64.")
    real = store._attach
    store.clear_cache()
    monkeypatch.setattr(store.duckdb, "connect", lambda *a, **k: _Failing(newer))
    with pytest.raises(store.StoreError) as caught:
        real(store.resolve(county), county)
    assert "另一版本的 DuckDB" in str(caught.value) and "demo" not in str(caught.value)


class _Failing:
    """A connection whose ATTACH fails the way DuckDB does for a file of a newer version."""

    def __init__(self, fail):
        self.fail = fail

    def execute(self, sql, *args):
        if sql.startswith("ATTACH"):
            self.fail()
        return self

    def close(self):
        pass
