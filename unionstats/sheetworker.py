"""A big sheet's cells read in a second process while this one checks them (issue #17).

Reading a province's 单位 sheet (xlsxrows: unzip, find the cells, parse their digits) costs as
much as checking its rows, and both hold Python's lock: a thread would not run beside the checks,
a process does, on the second core. The worker gets the file once it has passed
filelimits.check, reads the workbook itself (xlsxrows.open_book), then the first sheet of BIG
bytes or more (the one the importer hands it) with the same checks as in this process
(filelimits.PartScan, cellformats), and sends each piece's cells as numbers (xlsxrows.Values: a
shared string by its number, not its text), with what cellformats found in the piece. This
process turns them into the grids the importer checks, a piece at a time: what the worker sends
is what xlsxrows would have given here, in the same order. A worker that cannot start leaves the
sheet to this process; one that stops midway reads as Unsupported: the importer then reads the
file with calamine, as for any sheet xlsxrows does not read.

    python -m unionstats.sheetworker   (the worker's side: pickled messages on stdin and stdout)
"""
from __future__ import annotations

import io
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from . import cellformats, filelimits, xlsxrows

BIG = 4 * xlsxrows.PIECE  # bytes of sheet XML from which a sheet is read by a worker (≈ 50,000 rows)
AHEAD = 4  # pieces the worker reads ahead of the importer (each about 7 MB of numbers)
_ROOT = str(Path(__file__).resolve().parent.parent)
_ERRORS = {"Unsupported": xlsxrows.Unsupported, "Damaged": xlsxrows.Damaged}


class Worker:
    """One second process, started before the file is checked (Python and numpy take 0.2 s to
    start), given the file once it passed (`read`); its sheet's grids come from `grids`."""

    def __init__(self):
        # (Run from the folder holding the package, wherever the server was started from; that
        # folder on its path too: with PYTHONSAFEPATH set, -m would not look in the current one.)
        path = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen([sys.executable, "-m", "unionstats.sheetworker"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, cwd=_ROOT,  # (its errors, if any, in our log)
                                      env={**os.environ, "PYTHONPATH": path})
        self._sending: threading.Thread | None = None

    def read(self, data: bytes, limits: filelimits.Limits) -> None:
        """Hand over the file (in a thread: the worker may still be starting)."""
        message = (data, limits, xlsxrows.PIECE, BIG)
        self._sending = threading.Thread(target=self._send, args=(message,), daemon=True)
        self._sending.start()

    def grids(self, part: str, sheet: str, cells: cellformats.SheetCells,
              strings: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The sheet's grids, as xlsxrows.rows gives them; what cellformats finds goes to `cells`
        before the grid of its piece is given."""
        try:
            self._sending.join()
            while True:
                message = pickle.load(self._proc.stdout)
                if message[0] == "sheet":
                    if message[1:] != (part, sheet):
                        raise xlsxrows.Unsupported(f"the worker read {message[1:]}, not {(part, sheet)}")
                    continue
                if message[0] == "error":
                    _, kind, text, where = message
                    raise filelimits.Refused(text, where) if kind == "Refused" else _ERRORS[kind](text)
                _add(cells, message[-1])
                if message[0] == "end":
                    return
                _, numbers, columns, packed, _found = message
                yield xlsxrows.grid(numbers, columns, _unpacked(packed).given(strings))
        except (OSError, EOFError, pickle.UnpicklingError) as exc:  # the worker stopped or never started
            raise xlsxrows.Unsupported(f"the sheet worker stopped ({exc.__class__.__name__})") from None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (done or not) and let go of its pipes."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._sending is not None:
            self._sending.join()  # ends at once: nobody reads the pipe any more
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:  # what was still buffered for a worker that is gone
                pass

    def _send(self, message) -> None:
        try:
            pickle.dump(message, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
        except OSError:
            pass  # the worker is gone: reading its answer says so
        except Exception:  # (a MemoryError) the worker would wait for the rest of the file, and
            self._proc.kill()  # the importer for its answer: stopped, it says so (Unsupported)


def wanted(data: bytes) -> bool:
    """Whether an .xlsx holds a sheet big enough to be read by a worker (from the zip's own list
    of sizes: filelimits.check has not looked at the file yet, and this only reads the list)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return False  # (as filelimits.check: it refuses the file as damaged)
    return any(i.filename.startswith("xl/worksheets/") and i.file_size >= BIG for i in book.infolist())


def start() -> Worker | None:
    if not sys.executable:  # None or "": Python could not tell its own path
        return None
    try:
        return Worker()
    except OSError:  # no process can be started here: the sheet is read in this one
        return None


def _add(cells: cellformats.SheetCells, found: tuple) -> None:
    scales, hidden_rows, formulas, merged = found
    cells.scales.update(scales)
    cells.hidden_rows.update(hidden_rows)
    cells.formulas.update(formulas)
    cells.merged.extend(merged)


def _packed(values: xlsxrows.Values) -> tuple:
    """The values to send: texts each sent once with the numbers of the cells holding them
    (inline strings repeat: 乡镇, 行业, 是/否 in every row), anything else as it is. Only when
    all are text: factorize would take True, 1 and 1.0 for one value."""
    objects = values.objects
    if len(objects) and pd.api.types.infer_dtype(objects, skipna=False) == "string":
        codes, uniques = pd.factorize(objects)
        objects = (np.asarray(uniques, dtype=object), codes)
    return values.kind, values.number, objects


def _unpacked(packed: tuple) -> xlsxrows.Values:
    kind, number, objects = packed
    return xlsxrows.Values(kind, number, objects if isinstance(objects, np.ndarray) else objects[0][objects[1]])


def _taken(cells: cellformats.SheetCells) -> tuple:
    """What cellformats found since the last message (then forgotten here: it was sent)."""
    found = (dict(cells.scales), set(cells.hidden_rows), set(cells.formulas), list(cells.merged))
    cells.scales.clear()
    cells.hidden_rows.clear()
    cells.formulas.clear()
    cells.merged.clear()
    return found


def _serve(stdin, stdout) -> None:
    """Read the sheet, sending each piece's cells as soon as they are read: up to AHEAD pieces
    wait to be taken (a thread writes them), so that reading goes on while the importer is busy
    elsewhere (reading the shared strings, checking a chunk)."""
    outbox: queue.Queue = queue.Queue(maxsize=AHEAD)

    def sending() -> None:
        while (message := outbox.get()) is not None:
            try:
                pickle.dump(message, stdout, protocol=pickle.HIGHEST_PROTOCOL)
                stdout.flush()
            except OSError:  # the importer stopped listening
                os._exit(0)
            except BaseException:  # (a MemoryError) the reading thread would wait for this one for
                traceback.print_exc()  # ever, and the importer for it: stop, in the server's log
                os._exit(1)

    sender = threading.Thread(target=sending)
    sender.start()
    try:
        _read(stdin, outbox.put)
    finally:
        outbox.put(None)
        sender.join()


def _read(stdin, send) -> None:
    data, limits, xlsxrows.PIECE, big = pickle.load(stdin)  # (tests read small sheets in small pieces)
    try:
        book = xlsxrows.open_book(data, texts=False)  # (the importer has them: cells give their numbers)
        # The importer's choice, made the same way: the first sheet of BIG bytes or more.
        sheet = next((s for s in book.sheets if book.zip.getinfo(s.part).file_size >= big), None)
        formats = cellformats.Reader()
        visit = formats(book.zip, sheet.part) if sheet is not None else None
        if visit is None:
            raise xlsxrows.Unsupported("no sheet for the worker")
        send(("sheet", sheet.part, sheet.name))
        cells = formats.sheets[formats.parts[sheet.part]]
        for numbers, columns, values in xlsxrows.cells(book, sheet.part, filelimits.PartScan(limits, sheet.name),
                                                       visit):
            send(("cells", numbers, columns, _packed(values), _taken(cells)))
        send(("end", _taken(cells)))
    except (xlsxrows.Unsupported, xlsxrows.Damaged) as exc:
        send(("error", type(exc).__name__, str(exc), ""))
    except filelimits.Refused as exc:
        send(("error", "Refused", str(exc), exc.sheet))


if __name__ == "__main__":
    # Ctrl-C reaches every process of a terminal's command: the importer's to stop, not this one
    # (the importer stops it, or its pipes close when the importer is gone).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, EOFError):  # the importer stopped listening, or asked for no sheet
        pass
