"""The dashboard as users reach it: `streamlit run dashboard.py` on a free port of 127.0.0.1, for
the benchmarks and the browser tests (one way of starting it, so they measure the same server)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit(db: Path, root: Path = ROOT, log: Path | None = None, seconds: float = 90,
              **extra_env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """The checkout at `root` serving the store `db` until the block ends: yields (its URL, the
    process). The server's output goes to `log` (a temporary file if None), never to a pipe: a
    pipe nobody reads fills up (64 kB) and then blocks the server mid-request."""
    port = free_port()
    env = dict(os.environ, UNIONSTATS_DB=str(db), **extra_env)
    out = open(log, "w+b") if log is not None else tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(Path(root) / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds  # a cold start on a slow, shared machine
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise RuntimeError("streamlit did not start:\n" + out.read()[-3000:].decode(errors="replace"))
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
