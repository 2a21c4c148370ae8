"""Admin password for the data page's write actions: only a salted PBKDF2 hash is stored, in the
environment (UNIONSTATS_ADMIN_HASH) or .streamlit/secrets.toml (admin_password_hash), never in
the repository. Wrong guesses are limited per browser session and per client address; nobody
is ever made to sleep, and one session's failures never slow down another session."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .store import ROOT

ITERATIONS = 200_000
MAX_ITERATIONS = 10_000_000  # a larger count in a hand-edited hash would hang the page
MIN_LENGTH = 10
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
ENV = "UNIONSTATS_ADMIN_HASH"
KEY = "admin_password_hash"
RESET = "python -m unionstats set-password"


class BadHash(ValueError):
    """The stored hash cannot be read; the message says how to reset it."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    wait: float = 0.0      # seconds before this session/address may try again (0: now)
    locked: bool = False   # too many failures: locked out, not just backing off
    checked: bool = True   # False when the attempt was refused without looking at the password


class Throttle:
    """Failed logins per session and per client address, in memory (a restart forgets them).
    From a session's `free`-th failure on it must wait 1, 2, 4 … `longest` seconds before the
    next try; `limit` failures from one session or one address within `window` seconds lock it
    for `lockout` seconds. Attempts in a waiting period are refused, never slept on. An address
    only counts towards the lockout, so another session at the same office address can still
    log in while one session backs off. The lock guards bookkeeping only, never the hashing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, free: int = 3, limit: int = 10,
                 window: float = 900.0, lockout: float = 900.0, longest: float = 30.0):
        self.clock, self.free, self.limit = clock, free, limit
        self.window, self.lockout, self.longest = window, lockout, longest
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}   # key -> start times of failed (or running) attempts
        self._locked: dict[str, float] = {}           # key -> locked until

    @staticmethod
    def keys(session: str, address: str | None) -> list[str]:
        # Streamlit gives no address for localhost (and behind a proxy on the same machine).
        return [f"session:{session}"] + ([f"address:{address}"] if address else [])

    def _refusal(self, keys: list[str], now: float) -> Outcome | None:
        wait, locked = 0.0, False
        for key in keys:
            until = self._locked.get(key)
            if until is not None and now < until:
                wait, locked = max(wait, until - now), True
                continue
            self._locked.pop(key, None)
            times = [t for t in self._failures.get(key, []) if now - t < self.window]
            self._failures[key] = times
            if len(times) >= self.limit:   # attempts still running will decide; try again shortly
                wait = max(wait, 1.0)
            elif key.startswith("session:") and len(times) >= self.free:
                wait = max(wait, times[-1] + min(self.longest, 2.0 ** (len(times) - self.free)) - now)
        return Outcome(False, wait, locked, checked=False) if wait > 0 else None

    def _forget_old(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if not times or now - times[-1] >= self.window]:
            del self._failures[key]
        for key in [k for k, until in self._locked.items() if until <= now]:
            del self._locked[key]

    def reserve(self, keys: list[str]) -> tuple[Outcome | None, float]:
        """A refusal, or None and the attempt's time stamp. The attempt counts as a failure until
        settled, so parallel attempts from one address cannot overrun the limit."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            refusal = self._refusal(keys, now)
            if refusal is None:
                for key in keys:
                    self._failures.setdefault(key, []).append(now)
            return refusal, now

    def settle(self, keys: list[str], stamp: float, ok: bool) -> Outcome:
        with self._lock:
            now = self.clock()
            if ok:
                for key in keys:
                    times = self._failures.get(key, [])
                    if key.startswith("session:"):
                        times.clear()
                    elif stamp in times:
                        times.remove(stamp)
                return Outcome(True)
            for key in keys:
                times = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = times
                if len(times) >= self.limit:
                    self._locked[key] = now + self.lockout
                    self._failures[key] = []
            refusal = self._refusal(keys, now)
            return Outcome(False, refusal.wait, refusal.locked) if refusal else Outcome(False)


THROTTLE = Throttle()


def session_key() -> str:
    """A random name for one browser session's failure count (kept in its session state)."""
    return secrets.token_urlsafe(16)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def hash_problem(stored: str) -> str | None:
    """What is wrong with a stored hash, in Chinese, or None when it can be used."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != "pbkdf2_sha256":
        return "应为 pbkdf2_sha256$次数$盐$摘要 四段"
    if not parts[1].isascii() or not parts[1].isdigit() or not 1 <= int(parts[1]) <= MAX_ITERATIONS:
        return f"迭代次数应为 1 到 {MAX_ITERATIONS} 的整数，不是 {parts[1]!r}"
    try:
        salt = base64.b64decode(parts[2], validate=True)
        digest = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        return "盐或摘要不是有效的 Base64"
    if not salt or len(digest) != 32:
        return "盐为空或摘要长度不是 32 字节"
    return None


def _matches(password: str, stored: str) -> bool:
    _scheme, iterations, salt, digest = stored.split("$")
    got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(got, base64.b64decode(digest))


def _secrets_file(given: Path | None) -> Path:
    return Path(given or os.environ.get("UNIONSTATS_SECRETS") or SECRETS_FILE)


def stored_hash(secrets_file: Path | None = None) -> str | None:
    """The stored value as written (it may be malformed: see bad_hash_message), or None."""
    if os.environ.get(ENV):
        return os.environ[ENV].strip()
    file = _secrets_file(secrets_file)
    if file.exists():
        match = re.search(rf'^\s*{KEY}\s*=\s*(.*?)\s*$', file.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            quoted = re.match(r'"([^"]*)"|\'([^\']*)\'', match.group(1))
            return (quoted.group(1) or quoted.group(2) or "") if quoted else match.group(1)
    return None


def bad_hash_message(secrets_file: Path | None = None) -> str | None:
    """A Chinese message saying where the unusable hash is and how to reset it, or None."""
    stored = stored_hash(secrets_file)
    problem = None if stored is None else hash_problem(stored)
    if problem is None:
        return None
    if os.environ.get(ENV):
        return (f"环境变量 {ENV} 中的管理员密码哈希格式不正确（{problem}），无法验证密码。"
                f"请删除或更正该环境变量（它优先于 secrets.toml），必要时在服务器上运行 `{RESET}` 重新设置密码。")
    return (f"{_secrets_file(secrets_file)} 中的管理员密码哈希（{KEY}）格式不正确（{problem}），无法验证密码。"
            f"请在服务器上运行 `{RESET}` 重新设置密码。")


def attempt(password: str, session: str, address: str | None = None,
            secrets_file: Path | None = None, throttle: Throttle | None = None) -> Outcome:
    """Check a login attempt from one browser session (and client address, when known).
    Refused without hashing while that session or address must wait; a right password from a
    session that is not waiting always succeeds at once. Raises BadHash for an unusable hash."""
    stored = stored_hash(secrets_file)
    if stored is None or hash_problem(stored):
        raise BadHash(bad_hash_message(secrets_file) or f"尚未设置管理员密码：请在服务器上运行 `{RESET}`。")
    throttle = throttle or THROTTLE
    keys = throttle.keys(session, address)
    refusal, stamp = throttle.reserve(keys)
    if refusal:
        return refusal
    return throttle.settle(keys, stamp, _matches(password, stored))


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符（现在 {len(password)} 个）"
    if password.isdigit():
        return "密码不能全是数字：请混用字母、数字或汉字"
    return None


def _write_private(file: Path, text: str) -> None:
    """Replace the file atomically with one only its owner can read (mode 0600), so a crash
    never leaves half a file and an older file's looser permissions are not kept."""
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # the umask may have taken away the owner's bits; not on Windows
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def set_password(password: str, secrets_file: Path | None = None) -> Path:
    """Write the salted hash to .streamlit/secrets.toml (keeping any other settings there)."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    file = _secrets_file(secrets_file)
    file.parent.mkdir(parents=True, exist_ok=True)
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    line = f'{KEY} = "{hash_password(password)}"'
    if re.search(rf'^\s*{KEY}\s*=', text, flags=re.MULTILINE):
        text = re.sub(rf'^\s*{KEY}\s*=.*$', lambda _: line, text, flags=re.MULTILINE)
    else:
        text += ("\n" if text and not text.endswith("\n") else "") + line + "\n"
    _write_private(file, text)
    return file
