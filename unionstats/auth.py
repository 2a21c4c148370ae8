"""Admin password for the data page's write actions: only a salted PBKDF2 hash is stored, in the
environment (UNIONSTATS_ADMIN_HASH) or .streamlit/secrets.toml (admin_password_hash), never in
the repository. Wrong guesses are slowed down, per process."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from pathlib import Path

from .store import ROOT

ITERATIONS = 200_000
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
ENV = "UNIONSTATS_ADMIN_HASH"
KEY = "admin_password_hash"
_failures: list[float] = []
_lock = threading.Lock()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _matches(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        assert scheme == "pbkdf2_sha256"
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, AssertionError):
        return False


def _secrets_file(given: Path | None) -> Path:
    return Path(given or os.environ.get("UNIONSTATS_SECRETS") or SECRETS_FILE)


def stored_hash(secrets_file: Path | None = None) -> str | None:
    if os.environ.get(ENV):
        return os.environ[ENV]
    file = _secrets_file(secrets_file)
    if file.exists():
        match = re.search(rf'^\s*{KEY}\s*=\s*"([^"]+)"', file.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    return None


def delay_after_failures() -> float:
    """Seconds the next attempt waits: 0 for the first 3 failures in 15 minutes, then doubling."""
    now = time.time()
    with _lock:
        _failures[:] = [t for t in _failures if now - t < 900]
        extra = len(_failures) - 3
    return 0.0 if extra < 0 else min(30.0, 2.0 ** extra)


def check(password: str, secrets_file: Path | None = None) -> bool:
    """True when the password matches; waits after repeated failures."""
    stored = stored_hash(secrets_file)
    if not stored:
        return False
    time.sleep(delay_after_failures())
    ok = _matches(password, stored)
    if not ok:
        with _lock:
            _failures.append(time.time())
    return ok


def set_password(password: str, secrets_file: Path | None = None) -> Path:
    """Write the salted hash to .streamlit/secrets.toml (keeping any other settings there)."""
    if len(password) < 8:
        raise ValueError("密码至少 8 个字符")
    file = _secrets_file(secrets_file)
    file.parent.mkdir(parents=True, exist_ok=True)
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    line = f'{KEY} = "{hash_password(password)}"'
    text = re.sub(rf'^\s*{KEY}\s*=.*$', line, text, flags=re.MULTILINE) if KEY in text else \
        (text + ("\n" if text and not text.endswith("\n") else "") + line + "\n")
    file.write_text(text, encoding="utf-8")
    return file
