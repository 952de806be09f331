"""Logins, names, nice names and e-mail addresses."""

from __future__ import annotations

import pytest

from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.names import nice_name, normalize_login, normalize_name, validate_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Erkan Ozgur ", "erkanozgur"),
        ("123abc", "abc"),
        ("Ab-c.d_e", "abcde"),
        ("eoyilmaz", "eoyilmaz"),
        ("User42", "user42"),
        ("9lives2", "lives2"),
        ("\tTab\nNew Line", "tabnewline"),
        ("Çağla", "ala"),
    ],
)
def test_login_keeps_only_lower_case_letters_and_digits(raw: str, expected: str) -> None:
    assert normalize_login(raw) == expected


def test_login_drops_parentheses_unlike_the_reference() -> None:
    # The reference keeps them ('x(y)z' -> 'x(y)z') through a regex bug.
    assert normalize_login("x(y)z") == "xyz"


@pytest.mark.parametrize("raw", ["", "   ", "123", "1 2 3", "()", "-._", "ğü"])
def test_login_without_a_letter_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize_login(raw)
    assert caught.value.field == "login"
    assert "login" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Fancy   Commercial  ", "Fancy Commercial"), ("SH001", "SH001"), ("a\t\nb", "a b")],
)
def test_name_is_stripped_and_whitespace_collapsed(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "\t\n"])
def test_empty_name_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize_name(raw, field="code")
    assert caught.value.field == "code"
    assert caught.value.message == "code may not be empty"


def test_name_field_defaults_to_name() -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize_name(" ")
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("  Fancy   Commercial  ", "Fancy_Commercial"),
        ("Hi-Res (final)!", "Hi_Res_final"),
        ("__lead_underscores", "lead_underscores"),
        ("çağ 2.0 ünicode", "a_20_nicode"),
        ("A - B -- C", "A_B_C"),
        ("Test@Home #1", "Test@Home_1"),
        ("CamelCaseName", "CamelCaseName"),
        ("-_-x", "x"),
    ],
)
def test_nice_name_matches_the_reference_examples(name: str, expected: str) -> None:
    assert nice_name(name) == expected


def test_nice_name_collapses_underscores_and_keeps_a_trailing_one() -> None:
    assert nice_name("a___b__") == "a_b_"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("some_email_address@gmail.com", "some_email_address@gmail.com"),
        ("  Admin@ADMIN.com ", "Admin@admin.com"),
        ("a@b", "a@b"),
    ],
)
def test_valid_email_is_stripped_and_its_domain_lower_cased(raw: str, expected: str) -> None:
    assert validate_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("no-at-sign.com", "has no @ sign"),
        ("a@b@c", "more than one @ sign"),
        ("@studio.com", "missing the name part"),
        ("someone@", "missing the domain part"),
        ("   ", "has no @ sign"),
    ],
)
def test_bad_email_is_refused_with_a_clear_message(raw: str, phrase: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_email(raw)
    assert caught.value.field == "email"
    assert phrase in caught.value.message
    assert caught.value.message.startswith("email ")
