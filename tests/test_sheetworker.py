"""A big sheet read in a second process (unionstats/sheetworker.py) gives the importer what
xlsxrows gives it in this one: the same grids, the same number formats, hidden rows, formulas
and merged ranges, the same messages; and when the worker cannot help (it cannot start, stops
midway, meets a cell it does not read) the file is still read, the same way. The worker is
made to take small files here (BIG lowered) and to read them in small pieces."""
from __future__ import annotations

import pytest

from test_xlsxrows import WORKBOOKS, _both_ways, _edited, _same, _unit_book, _without_dimension, plain_cells
from unionstats import cellformats, filelimits, importing, sheetworker, xlsxrows


def _read(data: bytes, by_worker: bool) -> tuple[list, cellformats.SheetCells]:
    """The grids (row numbers and cells) of the sheet a worker takes, the first of BIG bytes or
    more, and what cellformats found in it."""
    formats = cellformats.Reader()
    book = xlsxrows.open_book(data)
    sheet = next(s for s in book.sheets if book.zip.getinfo(s.part).file_size >= sheetworker.BIG)
    visit = formats(book.zip, sheet.part)
    cells = formats.sheets[sheet.name]
    if by_worker:
        worker = sheetworker.start()
        worker.read(data, importing.limits())
        blocks = worker.grids(sheet.part, sheet.name, cells, book.strings)
    else:
        blocks = xlsxrows.rows(book, sheet.part, filelimits.PartScan(importing.limits(), sheet.name),
                               visit).rest_blocks()
    return [(held.tolist(), [[(type(v).__name__, v) for v in row] for row in grid.tolist()])
            for held, grid in blocks], cells


def _sizes(data: bytes) -> list[int]:
    import io
    import zipfile
    return sorted(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()
                  if i.filename.startswith("xl/worksheets/"))


def _late_formats(ws, book):
    """What cellformats must find deep in the sheet: a scaling format, a hidden row, a formula
    and a merged range, each after the first pieces."""
    ws.write_number(1499, 6, 68, book.add_format({"num_format": '0"万人"'}))
    ws.set_row(1200, None, None, {"hidden": True})
    ws.write_formula(1700, 7, "=10+10", None, 20)  # 女职工人数, as the row had it
    ws.merge_range(1800, 0, 1801, 0, 2024)


SHEETS = {**WORKBOOKS, "XlsxWriter, a 单位 sheet with formats late in it": lambda: _unit_book(2000, _late_formats)}


@pytest.mark.parametrize("kind", SHEETS)
@pytest.mark.parametrize("piece", [4096, 65_536])
def test_the_worker_reads_what_this_process_reads(kind, piece, monkeypatch):
    """The first sheet, and the biggest (BIG at its size): what the worker takes either way."""
    monkeypatch.setattr(xlsxrows, "PIECE", piece)
    data = SHEETS[kind]()
    for big in (0, _sizes(data)[-1]):
        monkeypatch.setattr(sheetworker, "BIG", big)
        here, found_here = _read(data, by_worker=False)
        there, found_there = _read(data, by_worker=True)
        assert there == here
        assert found_there == found_here
    if kind.startswith("XlsxWriter, a 单位") and piece == 4096:
        assert len(here) > 10 and found_here.scales  # many pieces, formats found late


def _big_is_everything(monkeypatch) -> list:
    """Every .xlsx read by a worker from now on; the list of their processes."""
    started = []

    def start():
        worker = sheetworker.Worker()
        started.append(worker._proc)
        return worker
    monkeypatch.setattr(sheetworker, "BIG", 0)
    monkeypatch.setattr(sheetworker, "start", start)
    return started


def test_an_import_through_the_worker_is_the_import_read_here(monkeypatch):
    data = _unit_book(2000, _late_formats)
    here, by_calamine = _both_ways(data, monkeypatch)
    started = _big_is_everything(monkeypatch)
    there, _ = _both_ways(data, monkeypatch)
    assert len(started) == 1
    _same(there, here)
    _same(there, by_calamine)
    assert there.frames["unit_year"]["employees"].max() == 680_000  # the late 0"万人" counted
    assert all(p.poll() is not None for p in started)  # no worker left running


def test_what_the_worker_cannot_read_is_read_by_calamine(monkeypatch):
    """A number shown as a date: Unsupported in the worker, then calamine, as in this process."""
    dated = _unit_book(300, lambda ws, book: ws.write_number(250, 14, 45000, book.add_format({"num_format": "yyyy-mm-dd"})))
    here, by_calamine = _both_ways(dated, monkeypatch)
    started = _big_is_everything(monkeypatch)
    by = []
    calamine = importing._calamine_tables
    monkeypatch.setattr(importing, "_calamine_tables", lambda data: by.append(1) or calamine(data))
    there = importing.read("a.xlsx", dated, importing.Reference(_regions()))
    assert started and by == [1]  # the worker said Unsupported; calamine read the file
    _same(there, here)
    _same(there, by_calamine)
    assert there.ok and there.frames["unit_year"]["union_founded_year"].tolist()[249] != 45000


def test_a_sheet_over_a_limit_is_refused_in_the_same_words(monkeypatch):
    """A cell far down after 2,000 ordinary rows, no declared dimension to give it away: met by
    the worker's own PartScan, in a late piece."""
    data = _without_dimension(_unit_book(2000, lambda ws, book: ws.write_number(1_048_575, 0, 1)))
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)
    reference = importing.Reference(_regions())
    here = importing.read("a.xlsx", data, reference)
    started = _big_is_everything(monkeypatch)
    there = importing.read("a.xlsx", data, reference)
    assert started and [p.line() for p in there.problems] == [p.line() for p in here.problems]
    assert "有内容的单元格一直到第 1,048,576 行" in there.problems[0].message


def test_a_damaged_sheet_gets_calamines_message_through_the_worker(monkeypatch):
    damaged = _edited(plain_cells(), lambda name, body: body.replace(
        b'<c r="A9" s="1" t="s"><v>', b'<c r="A9" s="1" t="s"><v>99999999') if name.startswith("xl/worksheets/") else body)
    reference = importing.Reference(_regions())
    here = importing.read("a.xlsx", damaged, reference)
    _big_is_everything(monkeypatch)
    there = importing.read("a.xlsx", damaged, reference)
    assert [p.line() for p in there.problems] == [p.line() for p in here.problems]
    assert there.problems[0].message.startswith("文件已损坏或不是有效的 Excel 文件（")


def _regions():
    import pandas as pd
    return pd.DataFrame({"code": ["CG", "NS"], "name_zh": ["城关镇", "南山乡"], "name_en": ["Chengguan", "Nanshan"]})


def test_a_worker_that_stops_midway_leaves_the_file_to_calamine(monkeypatch):
    data = _unit_book(2000, _late_formats)
    here, _ = _both_ways(data, monkeypatch)
    started = _big_is_everything(monkeypatch)
    made = []
    grid = xlsxrows.grid

    def killing(*args):
        made.append(1)
        if len(made) == 2:
            started[-1].kill()  # between two pieces: the next read finds the pipe closed
        return grid(*args)
    monkeypatch.setattr(xlsxrows, "grid", killing)
    there, _ = _both_ways(data, monkeypatch)
    assert len(made) >= 2
    _same(there, here)


def test_without_a_second_process_the_sheet_is_read_here(monkeypatch):
    data = _unit_book(500)
    here, _ = _both_ways(data, monkeypatch)

    def refused(*args, **kwargs):
        raise OSError("no processes here")
    monkeypatch.setattr(sheetworker, "BIG", 0)
    monkeypatch.setattr(sheetworker.subprocess, "Popen", refused)
    there, _ = _both_ways(data, monkeypatch)
    _same(there, here)


def test_only_a_big_worksheet_wants_a_worker(monkeypatch):
    data = _unit_book(2000)
    assert not sheetworker.wanted(data)  # a county's sheet: read here, no process started
    monkeypatch.setattr(sheetworker, "BIG", 100_000)  # the 单位 sheet's XML is bigger; shared strings are not a sheet
    assert sheetworker.wanted(data)
    assert not sheetworker.wanted(b"PK not a zip")


def test_a_file_refused_before_its_big_sheet_is_read_leaves_no_worker_running(monkeypatch):
    import gc
    data = _edited(_unit_book(2000), lambda name, body: body.replace('name="单位"'.encode(), 'name="名单"'.encode())
                   if name == "xl/workbook.xml" else body)
    started = _big_is_everything(monkeypatch)
    batch = importing.read("a.xlsx", data, importing.Reference(_regions()))
    assert "无法识别的工作表名称「名单」" in batch.problems[0].message
    gc.collect()
    assert started and all(p.wait(timeout=10) is not None for p in started)


def test_what_cellformats_found_is_sent_once():
    cells = cellformats.SheetCells({5}, {(5, 2): 10_000}, {(6, 3)}, [((0, 0), (1, 0))])
    assert sheetworker._taken(cells) == ({(5, 2): 10_000}, {5}, {(6, 3)}, [((0, 0), (1, 0))])
    assert sheetworker._taken(cells) == ({}, set(), set(), [])


def test_a_worker_that_took_another_sheet_is_not_believed(monkeypatch):
    """The worker picks its sheet by the importer's rule; should the two ever differ, the
    importer does not take the other sheet's rows for its own."""
    monkeypatch.setattr(sheetworker, "BIG", 0)
    data = _unit_book(50)
    book = xlsxrows.open_book(data)
    worker = sheetworker.start()
    worker.read(data, importing.limits())
    with pytest.raises(xlsxrows.Unsupported, match="not"):
        next(worker.grids(book.sheets[0].part, "另一张表", cellformats.SheetCells(), book.strings))
    assert worker._proc.wait(timeout=10) is not None


def _with_small_sheet_first(first_cells) -> bytes:
    """A 乡镇 sheet (with `first_cells(ws, book)` written in it) before a 单位 sheet of 2,000 units."""
    import io
    import xlsxwriter
    from test_importing import UNIT_HEADER, unit_row
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("乡镇")
    ws.write_row(0, 0, ["乡镇代码", "乡镇名称"])
    ws.write_row(1, 0, ["CG", "城关镇"])
    first_cells(ws, book)
    ws = book.add_worksheet("单位")
    ws.write_row(0, 0, UNIT_HEADER)
    for i in range(1, 2001):
        ws.write_row(i, 0, unit_row(单位名称=f"测试单位{i}", 职工人数=60 + i))
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize("first_cells", [
    lambda ws, book: ws.write_number(1_048_575, 0, 1),  # over a limit: refused
    lambda ws, book: ws.write_number(2, 0, 45000, book.add_format({"num_format": "yyyy-mm-dd"})),  # left to calamine
], ids=["refused", "unsupported"])
def test_a_worker_whose_sheet_was_never_reached_is_stopped_with_the_import(first_cells, monkeypatch):
    """The first sheet ends the streamed reading before the worker's (the second) is reached:
    the worker is stopped when read() returns, not whenever the garbage collector gets to it
    (until then it holds the file and a core)."""
    import gc
    data = _without_dimension(_with_small_sheet_first(first_cells))
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)
    here = importing.read("a.xlsx", data, importing.Reference(_regions()))
    started = _big_is_everything(monkeypatch)
    monkeypatch.setattr(sheetworker, "BIG", max(_sizes(data)))  # the 单位 sheet only
    gc.disable()  # (a collection would stop it by chance)
    try:
        there = importing.read("a.xlsx", data, importing.Reference(_regions()))
        assert len(started) == 1
        assert started[0].poll() is not None
    finally:
        gc.enable()
    _same(there, here)


def test_an_interpreter_of_unknown_path_reads_the_sheet_here(monkeypatch):
    """sys.executable may be None or "" (Python could not tell its own path): no worker then."""
    data = _unit_book(500)
    here, _ = _both_ways(data, monkeypatch)
    monkeypatch.setattr(sheetworker, "BIG", 0)
    for executable in (None, ""):
        monkeypatch.setattr(sheetworker.sys, "executable", executable)
        assert sheetworker.start() is None
        there, _ = _both_ways(data, monkeypatch)
        _same(there, here)


def test_a_file_that_could_not_be_handed_over_is_read_all_the_same(monkeypatch):
    """Writing the file to the worker fails midway (memory, not a closed pipe): the worker would
    wait for the rest and the importer for its answer, for ever. It is stopped instead, and the
    file read by calamine, as for a worker that stopped."""
    import pickle
    import threading
    import types
    data = _unit_book(300)
    here, _ = _both_ways(data, monkeypatch)
    started = _big_is_everything(monkeypatch)

    def dump(message, stream, protocol=None):
        stream.write(pickle.dumps(message, protocol)[:1000])
        raise MemoryError
    monkeypatch.setattr(sheetworker, "pickle", types.SimpleNamespace(
        dump=dump, load=pickle.load, HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL, UnpicklingError=pickle.UnpicklingError))
    out = []
    reading = threading.Thread(target=lambda: out.append(_both_ways(data, monkeypatch)[0]), daemon=True)
    reading.start()
    reading.join(timeout=120)  # (before the fix: no answer, ever)
    try:
        assert not reading.is_alive() and out, "the import is still waiting for the worker"
    finally:
        for process in started:
            process.kill()
    _same(out[0], here)


def test_ctrl_c_is_for_the_importer_not_its_worker(monkeypatch, capfd):
    """Ctrl-C in a terminal reaches every process of the command: the worker goes on (the
    importer stops it, if the importer stops), printing no traceback of its own."""
    import os
    import signal
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)
    monkeypatch.setattr(sheetworker, "BIG", 0)
    data = _unit_book(2000)
    here, _ = _read(data, by_worker=False)
    formats = cellformats.Reader()
    book = xlsxrows.open_book(data)
    sheet = book.sheets[0]
    formats(book.zip, sheet.part)
    worker = sheetworker.start()
    worker.read(data, importing.limits())
    blocks = worker.grids(sheet.part, sheet.name, formats.sheets[sheet.name], book.strings)
    there = [next(blocks)]
    os.kill(worker._proc.pid, signal.SIGINT)
    there += list(blocks)
    assert [(held.tolist(), [[(type(v).__name__, v) for v in row] for row in grid.tolist()])
            for held, grid in there] == here
    assert len(here) > sheetworker.AHEAD + 10  # read long after the signal
    assert "Traceback" not in capfd.readouterr().err


def test_the_worker_finds_the_package_with_pythonsafepath_set(monkeypatch):
    """PYTHONSAFEPATH (a hardened server's setting; streamlit run still finds the package by the
    script's folder) keeps `python -m` from looking in the folder it starts in: the worker is
    told where the package is, and reads the sheet instead of stopping at once."""
    monkeypatch.setenv("PYTHONSAFEPATH", "1")
    monkeypatch.setattr(sheetworker, "BIG", 0)
    data = _unit_book(50)
    assert _read(data, by_worker=True) == _read(data, by_worker=False)


def test_a_worker_that_cannot_send_a_piece_stops(tmp_path):
    """The worker's sending thread fails on a piece (memory, not a closed pipe): the reading
    thread must not wait for it for ever (nor the importer for the worker). It stops, with an
    exit code that is not 0, and the importer then reads the file with calamine."""
    import pickle
    import subprocess
    import sys
    from pathlib import Path
    message = tmp_path / "message"
    message.write_bytes(pickle.dumps((_unit_book(2000), importing.limits(), 4096, 0)))
    script = (
        "import io, sys\n"
        "from unionstats import sheetworker\n"
        "class Failing(io.RawIOBase):\n"
        "    def writable(self): return True\n"
        "    def write(self, b): raise MemoryError\n"
        f"sheetworker._serve(open({str(message)!r}, 'rb'), Failing())\n")
    root = Path(sheetworker.__file__).resolve().parent.parent
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker still waits for its sending thread")
    assert done.returncode != 0


def _zip_entry_edited(data: bytes, part: str, edit) -> bytes:
    """The zip with `edit(bytes, central header offset, local header offset)` applied to one part's headers."""
    import struct
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46:at + 46 + length]) == part.encode():
            edit(out, at, struct.unpack_from("<I", out, at + 42)[0])
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def _method_99(out, central, local):
    import struct
    struct.pack_into("<H", out, central + 10, 99)
    struct.pack_into("<H", out, local + 8, 99)


def _encrypted(out, central, local):
    out[central + 8] |= 1
    out[local + 6] |= 1


def _version_8_5(out, central, local):
    out[central + 6] = 85


@pytest.mark.parametrize("edit", [_method_99, _encrypted, _version_8_5], ids=["compression method 99",
                                                                            "encrypted", "zip version 8.5"])
def test_a_sheet_part_python_cannot_unpack_is_damaged_either_way(edit, monkeypatch):
    """zipfile raises NotImplementedError or RuntimeError for these (filelimits refuses them as
    damaged): read in this process or by a worker, and in deciding whether to start one, the file
    gets the one message, no traceback."""
    data = _zip_entry_edited(_unit_book(300), "xl/worksheets/sheet1.xml", edit)
    reference = importing.Reference(_regions())
    here = importing.read("a.xlsx", data, reference)
    _big_is_everything(monkeypatch)
    there = importing.read("a.xlsx", data, reference)
    assert [p.line() for p in here.problems] == [p.line() for p in there.problems]
    assert "文件已损坏或不是有效的 Excel 文件" in here.problems[0].message


def _deflate_broken(out, central, local):
    """The part's packed data starts with a block of a type deflate does not have (zlib.error)."""
    import struct
    name, extra = struct.unpack_from("<HH", out, local + 26)
    out[local + 30 + name + extra] |= 0b110


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"])
def test_a_part_whose_packed_data_is_broken_is_damaged_and_leaves_no_worker(part, monkeypatch):
    """zlib's own error (not one of zipfile's) while the file is checked or read: the damaged
    message, the same through a worker, and the worker started for the file stopped."""
    data = _zip_entry_edited(_unit_book(300), part, _deflate_broken)
    reference = importing.Reference(_regions())
    here = importing.read("a.xlsx", data, reference)
    started = _big_is_everything(monkeypatch)
    there = importing.read("a.xlsx", data, reference)
    assert [p.line() for p in here.problems] == [p.line() for p in there.problems]
    assert "文件已损坏或不是有效的 Excel 文件" in here.problems[0].message
    assert started and all(p.poll() is not None for p in started)


def test_a_check_that_fails_unexpectedly_stops_the_worker_it_found_started(monkeypatch):
    """filelimits.check ending otherwise than by refusing the file (memory, a bug): the worker
    started for the file is stopped before the error goes on, not left to the collector."""
    import gc
    started = _big_is_everything(monkeypatch)

    def failing(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(importing.filelimits, "check", failing)
    gc.disable()  # (a collection would stop it by chance)
    try:
        with pytest.raises(MemoryError):
            importing.read("a.xlsx", _unit_book(50), importing.Reference(_regions()))
        assert started and all(p.poll() is not None for p in started)
    finally:
        gc.enable()
