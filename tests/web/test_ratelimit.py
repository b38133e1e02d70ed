"""Login attempts: limited per account and per address, on the clock, then heard again."""

from __future__ import annotations

from twisted.internet.task import Clock

from switchboard.accounts.ratelimit import LoginLimiter
from switchboard.config import WebSettings
from tests.web.stack import PASSWORD, Stack


def test_an_account_is_refused_after_its_failures_until_the_oldest_ages_out() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock.seconds, per_account=3, per_address=100, window_s=60)
    for _ in range(3):
        assert limiter.retry_after("wang", "a") is None
        limiter.failed("wang", "a")
        clock.advance(10)
    assert limiter.retry_after("wang", "b") == 30  # any address: the first failure was at 0
    assert limiter.retry_after("Wang", "b") == 30  # usernames compare without case
    assert limiter.retry_after("li", "b") is None
    clock.advance(30)
    assert limiter.retry_after("wang", "b") is None


def test_an_address_guessing_many_accounts_is_refused_and_a_success_does_not_clear_it() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock.seconds, per_account=100, per_address=3, window_s=60)
    for name in ("a", "b", "c"):
        limiter.failed(name, "203.0.113.9")
    limiter.succeeded("a")
    assert limiter.retry_after("d", "203.0.113.9") == 60
    assert limiter.retry_after("d", "203.0.113.10") is None


def test_too_many_wrong_passwords_refuse_even_the_right_one_with_retry_after(
    stack: Stack,
) -> None:
    stack.add_user("wang")
    limit = WebSettings().login_failures_per_account
    for attempt in range(limit):
        # from different addresses: the account's own limit is what trips
        assert stack.browser(f"198.51.100.{attempt}").log_in("wang", "wrong guess!").status == 401
    refused = stack.browser("198.51.100.200").log_in("wang", PASSWORD)
    assert refused.status == 429 and "失败次数过多" in refused.text
    assert refused.header("retry-after") == str(int(WebSettings().login_window_s) + 1)
    stack.clock.advance(WebSettings().login_window_s)
    assert stack.browser().log_in("wang", PASSWORD).status == 303


def test_one_address_is_refused_after_its_failures_across_accounts(stack: Stack) -> None:
    stack.add_user("wang")
    for i in range(WebSettings().login_failures_per_address):
        assert stack.browser("203.0.113.9").log_in(f"user{i}", "wrong guess!").status == 401
    assert stack.browser("203.0.113.9").log_in("wang", PASSWORD).status == 429
    assert stack.browser("203.0.113.10").log_in("wang", PASSWORD).status == 303


def test_a_success_clears_the_accounts_failures(stack: Stack) -> None:
    stack.add_user("wang")
    limit = WebSettings().login_failures_per_account
    for _ in range(limit - 1):
        stack.browser("198.51.100.1").log_in("wang", "wrong guess!")
    assert stack.browser("198.51.100.2").log_in("wang", PASSWORD).status == 303
    for _ in range(limit - 1):
        stack.browser("198.51.100.3").log_in("wang", "wrong guess!")
    assert stack.browser("198.51.100.4").log_in("wang", PASSWORD).status == 303
