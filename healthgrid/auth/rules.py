"""Pure account rules: password policy, lockout settings."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LockoutSettings:
    max_failures: int = 5
    minutes: int = 15


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 10


LOCKOUT = LockoutSettings()
POLICY = PasswordPolicy()


def password_problems(password: str, username: str, policy: PasswordPolicy = POLICY) -> list[str]:
    """Message keys for what is wrong with a new password; empty when acceptable."""
    problems = []
    if len(password or "") < policy.min_length:
        problems.append("password_too_short")
    if username and username.lower() in (password or "").lower():
        problems.append("password_contains_username")
    return problems
