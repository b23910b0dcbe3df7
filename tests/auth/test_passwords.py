"""Argon2id parameters and the password policy."""

from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters

from leads.auth.passwords import (
    MAX_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


def test_hash_is_argon2id_at_least_owasp_minimum():
    params = extract_parameters(hash_password("a long enough passphrase"))
    assert params.type is Type.ID
    # OWASP's equivalent settings trade memory for passes: m=19 MiB t=2, m=46 MiB t=1, ...
    assert params.memory_cost * params.time_cost >= 19456 * 2 or params.memory_cost >= 47104
    assert params.memory_cost >= 19456 and params.parallelism >= 1


def test_verify_and_rehash():
    stored = hash_password("a long enough passphrase")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password(stored, "x" * (MAX_LENGTH + 1))
    assert not needs_rehash(stored)
    assert needs_rehash("not-a-hash")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("elevenchars", "at least 12"),
        ("x" * (MAX_LENGTH + 1), "at most"),
        ("Password1234", "too common"),
        ("123456789012", "too common"),
        ("aaaaaaaaaaaaaaa", "too common"),
        ("abababababab", "too common"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    assert problem in password_problem(password)


def test_good_passwords_pass():
    assert password_problem("correct horse battery staple") is None
    assert password_problem("x" * 8 + "yz12") is None


def test_generated_passwords_are_strong_and_unique():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(password_problem(p) is None and len(p) >= 20 for p in passwords)
