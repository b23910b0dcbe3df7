"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Argon2 hashes whatever it is given; a cap keeps one request from costing seconds of CPU.
MAX_LENGTH = 1024

# OWASP's first recommended Argon2id setting (46 MiB, 1 pass, 1 lane); above its stated minimum.
# Raising any of these makes every stored hash "need rehash", so it is upgraded at the next login.
hasher = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)

# The most common choices that still pass the length rule; a short list is enough with a 12-char minimum.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678910",
        "123123123123",
        "111111111111",
        "000000000000",
        "qwertyuiop12",
        "qwertyuiopas",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "password1234",
        "password12345",
        "password123!",
        "passwordpassword",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "welcome123456",
        "changeme1234",
        "administrator",
        "admin1234567",
        "adminadmin12",
        "abcdefghijkl",
        "abc123abc123",
        "aaaaaaaaaaaa",
        "trustno1trustno1",
        "football1234",
        "baseball1234",
        "sunshine1234",
        "princess1234",
        "monkey123456",
        "dragon123456",
        "clinic123456",
        "stemcell1234",
    }
)


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; a malformed stored hash is a mismatch, not an error."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def burn_verify_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown email answers as slowly as a known one."""
    verify_password(_dummy_hash(), password)


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable as a new password, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too common or too simple. Please choose another."
    return None


def generate_password() -> str:
    """A random password for one-time use: 120 bits, URL-safe characters."""
    return secrets.token_urlsafe(15)
