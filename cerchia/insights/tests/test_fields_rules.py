"""What a valid answer is for each kind of member field, and a valid field definition: one
set of rules used by the forms and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cerchia.insights import fields as rules
from cerchia.insights.models import FieldKind, MemberField


def _field(kind: str, *, required: bool = False, choices: list[str] | None = None) -> MemberField:
    return MemberField(pk=7, label="Q", kind=kind, required=required, choices=choices or [])


COLOURS = ["Red", "Green", "Blue"]


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        (FieldKind.TEXT, "  Rome  ", "Rome"),
        (FieldKind.TEXT, "x" * 500, "x" * 500),
        (FieldKind.NUMBER, "42", 42),
        (FieldKind.NUMBER, "3,5", 3.5),
        (FieldKind.NUMBER, "-0.25", -0.25),
        (FieldKind.NUMBER, 7, 7),
        (FieldKind.NUMBER, 2.5, 2.5),
        (FieldKind.NUMBER, "1e3", 1000),
        (FieldKind.DATE, "2024-02-29", "2024-02-29"),
        (FieldKind.DATE, datetime.date(1990, 5, 1), "1990-05-01"),
        (FieldKind.CHOICE, "Green", "Green"),
        (FieldKind.MULTIPLE, ["Blue", "Red"], ["Red", "Blue"]),
        (FieldKind.MULTIPLE, "Blue", ["Blue"]),
        (FieldKind.YES_NO, True, True),
        (FieldKind.YES_NO, False, False),
        (FieldKind.YES_NO, "yes", True),
        (FieldKind.YES_NO, "no", False),
    ],
)
def test_good_answers_are_stored_in_one_shape(kind: str, raw: object, stored: object) -> None:
    assert rules.clean_answer(_field(kind, choices=COLOURS), raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        (FieldKind.TEXT, "x" * 501, "max_length"),
        (FieldKind.TEXT, 12, "type"),
        (FieldKind.TEXT, "a\x00b", "nul"),
        (FieldKind.NUMBER, "twelve", "invalid"),
        (FieldKind.NUMBER, "NaN", "invalid"),
        (FieldKind.NUMBER, "Infinity", "invalid"),
        (FieldKind.NUMBER, float("inf"), "type"),
        (FieldKind.NUMBER, True, "type"),
        (FieldKind.NUMBER, "1e20", "max_value"),
        (FieldKind.NUMBER, "0.1234567", "decimal_places"),
        (FieldKind.NUMBER, [1], "type"),
        (FieldKind.DATE, "31/12/2020", "invalid"),
        (FieldKind.DATE, "2023-02-29", "invalid"),
        (FieldKind.DATE, "1899-12-31", "range"),
        (FieldKind.DATE, "2101-01-01", "range"),
        (FieldKind.DATE, 20200101, "type"),
        (FieldKind.CHOICE, "Purple", "invalid_choice"),
        (FieldKind.CHOICE, ["Red"], "invalid_choice"),
        (FieldKind.MULTIPLE, ["Red", "Red"], "duplicate"),
        (FieldKind.MULTIPLE, ["Red", "Purple"], "invalid_choice"),
        (FieldKind.MULTIPLE, [1, 2], "type"),
        (FieldKind.MULTIPLE, {"Red": True}, "type"),
        (FieldKind.YES_NO, "maybe", "type"),
        (FieldKind.YES_NO, 1, "type"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(kind: str, raw: object, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.clean_answer(_field(kind, choices=COLOURS), raw)
    assert caught.value.code == code
    assert caught.value.messages


@pytest.mark.parametrize("kind", FieldKind.values)
@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_empty_answers(kind: str, empty: object) -> None:
    assert rules.clean_answer(_field(kind, choices=COLOURS), empty) is None
    with pytest.raises(ValidationError) as caught:
        rules.clean_answer(_field(kind, required=True, choices=COLOURS), empty)
    assert caught.value.code == "required"


def test_yes_no_false_is_an_answer_to_a_required_question() -> None:
    assert rules.clean_answer(_field(FieldKind.YES_NO, required=True), False) is False


def test_clean_answers_names_each_bad_field() -> None:
    text = MemberField(pk=1, label="A", kind=FieldKind.TEXT, required=True)
    number = MemberField(pk=2, label="B", kind=FieldKind.NUMBER)
    with pytest.raises(ValidationError) as caught:
        rules.clean_answers([text, number], {2: "x"})
    assert set(caught.value.message_dict) == {"fields.1", "fields.2"}
    assert rules.clean_answers([text, number], {1: "hi"}) == {1: "hi", 2: None}


def test_options_are_trimmed_and_checked() -> None:
    assert rules.clean_options(FieldKind.CHOICE, [" Red ", "", "Green  light"]) == [
        "Red",
        "Green light",
    ]
    assert rules.clean_options(FieldKind.TEXT, ["ignored"]) == []
    cases: list[tuple[list[object], str]] = [
        (["Only one"], "option_count"),
        ([f"o{n}" for n in range(31)], "option_count"),
        (["Red", "red"], "option_duplicate"),
        (["Red", "x" * 81], "option_length"),
        (["Red", 3], "option_type"),
    ]
    for bad, code in cases:
        with pytest.raises(ValidationError) as caught:
            rules.clean_options(FieldKind.MULTIPLE, bad)
        assert caught.value.code == code


def test_labels() -> None:
    assert rules.clean_label("  Where?  ") == "Where?"
    with pytest.raises(ValidationError):
        rules.clean_label("   ")
    with pytest.raises(ValidationError):
        rules.clean_label("x" * 121)
    assert rules.clean_label("", limit=300, required=False) == ""


def test_answers_under_changed_options() -> None:
    choice = _field(FieldKind.CHOICE, choices=["Red", "Blue"])
    multiple = _field(FieldKind.MULTIPLE, choices=["Red", "Blue"])
    assert rules.still_valid(choice, "Green") is None
    assert rules.still_valid(choice, "Red") == "Red"
    assert rules.still_valid(multiple, ["Green", "Blue"]) == ["Blue"]
    assert rules.still_valid(multiple, ["Green"]) is None


def test_display() -> None:
    assert rules.display_answer(_field(FieldKind.YES_NO), True) == "Yes"
    assert rules.display_answer(_field(FieldKind.MULTIPLE), ["Red", "Blue"]) == "Red, Blue"
    assert rules.display_answer(_field(FieldKind.NUMBER), 3.5) == "3.5"
    assert "2024" in rules.display_answer(_field(FieldKind.DATE), "2024-05-31")
    assert rules.display_answer(_field(FieldKind.TEXT), None) == ""
