"""Admin login hardening (issue #10, item 10): failed logins are limited per browser session and
per client address with no sleeping and no server-wide delay; the secrets file is private; weak
passwords are refused; an unusable stored hash is reported with how to reset it."""
from __future__ import annotations

import io
import math
import os
import stat
import sys
import time
import types

import pytest

from unionstats import auth, cli

PASSWORD = "correct horse battery"
OFFICE = "10.20.30.40"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """A fresh throttle on a fake clock, a cheap hash of PASSWORD, and no sleeping allowed."""
    fake = FakeClock()
    monkeypatch.setattr(auth, "THROTTLE", auth.Throttle(clock=fake))
    monkeypatch.setattr(auth, "ITERATIONS", 1000)  # the stored hash carries its own count
    monkeypatch.setenv(auth.ENV, auth.hash_password(PASSWORD))

    def no_sleep(seconds):
        raise AssertionError(f"login slept {seconds} s in the server thread")
    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time=time.time, monotonic=time.monotonic, sleep=no_sleep))
    return fake


def fail(session: str, address: str | None = OFFICE) -> auth.Outcome:
    return auth.attempt("wrong guess", session, address)


def test_backoff_is_per_session_and_the_right_password_elsewhere_is_not_delayed(clock):
    for _ in range(auth.THROTTLE.free):
        assert fail("A").checked
    # Session A now backs off: refused without looking at the password, even the right one.
    waiting = auth.attempt(PASSWORD, "A", OFFICE)
    assert not waiting.ok and not waiting.checked and not waiting.locked and waiting.wait > 0
    # Another session at the same office address gets in at once, right now.
    assert auth.attempt(PASSWORD, "B", OFFICE).ok
    # A third session's wrong guess is checked and counted for it alone, with no wait.
    third = fail("C")
    assert third.checked and third.wait == 0
    clock.advance(waiting.wait)
    assert auth.attempt(PASSWORD, "A", OFFICE).ok


def test_each_failure_past_the_free_ones_waits_longer(clock):
    waits = []
    for _ in range(auth.THROTTLE.free + 3):
        outcome = fail("A", None)
        assert outcome.checked
        waits.append(outcome.wait)
        clock.advance(outcome.wait)
    assert waits[:auth.THROTTLE.free - 1] == [0] * (auth.THROTTLE.free - 1)
    assert all(0 < a < b for a, b in zip(waits[auth.THROTTLE.free - 1:], waits[auth.THROTTLE.free:]))


def test_one_session_is_locked_after_many_failures_then_free_again(clock):
    throttle = auth.THROTTLE
    for n in range(throttle.limit):
        outcome = fail("A", None)
        assert outcome.checked and outcome.locked == (n == throttle.limit - 1)
        if not outcome.locked:
            clock.advance(outcome.wait)  # wait out each back-off so every guess is checked
    # Locked: even the right password is refused without being checked.
    locked = auth.attempt(PASSWORD, "A", None)
    assert locked.locked and not locked.checked and not locked.ok
    assert locked.wait > throttle.longest
    assert auth.attempt(PASSWORD, "B", None).ok  # another session is unaffected
    clock.advance(locked.wait)
    assert auth.attempt(PASSWORD, "A", None).ok


def test_an_address_is_locked_after_many_failures_from_fresh_sessions(clock):
    throttle = auth.THROTTLE
    for n in range(throttle.limit):  # a new session for every guess dodges the session back-off
        assert fail(f"s{n}").checked
    locked = auth.attempt(PASSWORD, "new", OFFICE)
    assert locked.locked and not locked.checked
    assert auth.attempt(PASSWORD, "other", "10.99.0.1").ok   # another address is unaffected
    assert auth.attempt(PASSWORD, "local", None).ok          # so is a session without an address
    clock.advance(throttle.lockout)
    assert auth.attempt(PASSWORD, "new", OFFICE).ok


def test_attempts_still_being_checked_count_against_the_address(clock):
    """Parallel sessions from one address cannot get past the limit while their hashes run."""
    throttle = auth.THROTTLE
    keys = [throttle.keys(f"s{n}", OFFICE) for n in range(throttle.limit + 1)]
    for k in keys[:-1]:
        refusal, _ = throttle.reserve(k)
        assert refusal is None
    refusal, _ = throttle.reserve(keys[-1])
    assert refusal is not None and refusal.wait > 0


def test_a_correct_login_clears_the_sessions_failures(clock):
    for _ in range(auth.THROTTLE.free - 1):
        fail("A")
    assert auth.attempt(PASSWORD, "A", OFFICE).ok
    assert fail("A").wait == 0  # counting starts again


def test_secrets_file_is_private_and_keeps_other_settings(tmp_path, monkeypatch):
    monkeypatch.delenv(auth.ENV, raising=False)
    monkeypatch.setattr(auth, "ITERATIONS", 1000)
    file = tmp_path / ".streamlit" / "secrets.toml"
    auth.set_password(PASSWORD, file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    # An existing file readable by everyone, with other settings, is rewritten private.
    file.write_text('other = "kept"\nadmin_password_hash = "old"\n', encoding="utf-8")
    os.chmod(file, 0o644)
    auth.set_password(PASSWORD + "!", file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    text = file.read_text(encoding="utf-8")
    assert 'other = "kept"' in text and '"old"' not in text and text.count(auth.KEY) == 1
    assert auth.attempt(PASSWORD + "!", "s", None, secrets_file=file,
                        throttle=auth.Throttle(clock=FakeClock())).ok
    assert not list(file.parent.glob("*.tmp"))


def set_password_cli(password: str, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    code = cli.main(["set-password", "--stdin"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("weak", ["abc123xyz", "12345678901234", "１２３４５６７８９０１"])
def test_weak_passwords_are_refused(weak, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(auth.ENV, raising=False)
    monkeypatch.setenv("UNIONSTATS_SECRETS", str(tmp_path / "secrets.toml"))
    code, err = set_password_cli(weak, monkeypatch, capsys)
    assert code == cli.USAGE_ERROR
    assert "密码" in err and ("至少" in err or "数字" in err)
    assert not (tmp_path / "secrets.toml").exists()


def test_a_malformed_hash_is_reported_not_taken_for_a_wrong_password(tmp_path, monkeypatch, capsys):
    file = tmp_path / "secrets.toml"
    monkeypatch.setenv("UNIONSTATS_SECRETS", str(file))
    monkeypatch.setattr(auth, "ITERATIONS", 1000)
    monkeypatch.setenv(auth.ENV, "pbkdf2_sha256$abc$salt")
    message = auth.bad_hash_message()
    assert message and auth.ENV in message and "set-password" in message
    with pytest.raises(auth.BadHash, match="set-password"):
        auth.attempt(PASSWORD, "s", None)
    # set-password cannot fix the environment variable, and says so.
    code, err = set_password_cli(PASSWORD, monkeypatch, capsys)
    assert code == 0 and auth.ENV in err and "格式不正确" in err

    monkeypatch.delenv(auth.ENV)
    for broken in ['"pbkdf2_sha256$200000$$"', "12345", '"sha1$1$AAAA$AAAA"']:
        file.write_text(f"{auth.KEY} = {broken}\n", encoding="utf-8")
        message = auth.bad_hash_message()
        assert message and str(file) in message and "python -m unionstats set-password" in message
    code, err = set_password_cli(PASSWORD, monkeypatch, capsys)
    assert code == 0 and "格式不正确" in err and "替换" in err
    assert auth.bad_hash_message() is None
    assert auth.attempt(PASSWORD, "s", None, throttle=auth.Throttle(clock=FakeClock())).ok


# The page: AppTest runs pages/data.py in this process, so the fake-clock throttle applies.

from test_data_page import data_page, log_in  # noqa: E402


def test_page_shows_the_lockout_after_repeated_failures(county_copy, clock):
    at = data_page()
    for _ in range(auth.THROTTLE.limit):
        log_in(at, "wrong guess")
        assert not at.exception
        clock.advance(auth.THROTTLE.longest)  # past each back-off, so every guess is checked
    minutes = math.ceil(auth.THROTTLE.lockout / 60)
    assert any("锁定" in e.value and f"请 {minutes} 分钟后再试" in e.value for e in at.error)
    log_in(at)  # the right password while locked is refused too
    assert len(at.file_uploader) == 0 and any("锁定" in e.value for e in at.error)
    # Another browser session is not held up.
    other = log_in(data_page())
    assert not other.exception and [u.key for u in other.file_uploader] == ["upload", "map_file"]


def test_page_backoff_says_how_long_to_wait(county_copy, clock):
    at = data_page()
    for _ in range(auth.THROTTLE.free):
        log_in(at, "wrong guess")
    assert any("密码不正确" in e.value and "秒后再试" in e.value for e in at.error)
    log_in(at)
    assert len(at.file_uploader) == 0 and any("秒后再试" in e.value for e in at.error)


def test_page_reports_a_malformed_hash(county_copy, monkeypatch):
    monkeypatch.setenv(auth.ENV, "not a hash")
    at = data_page()
    assert not at.exception
    assert any("格式不正确" in e.value and "set-password" in e.value for e in at.error)
    assert len(at.text_input) == 0  # no login form that could only say "wrong password"
