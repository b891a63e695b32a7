"""The ``{% fragment %}`` tag: rendered once per key, language and timezone; CSRF per response."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation

from cerchia.core import testing

SOURCE = (
    '{% load cerchia_ui %}{% fragment "demo" key %}{{ shown }}|{% csrf_token %}{% endfragment %}'
)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    testing.clear_cache()
    yield
    testing.clear_cache()


def _render(key: object, shown: str, token: str = "t0ken") -> str:
    return Template(SOURCE).render(Context({"key": key, "shown": shown, "csrf_token": token}))


def test_the_same_key_reuses_the_rendered_fragment() -> None:
    assert _render(1, "first").startswith("first|")
    assert _render(1, "second").startswith("first|")


def test_another_key_renders_again() -> None:
    _render(1, "first")
    assert _render(2, "second").startswith("second|")


def test_each_render_gets_its_own_csrf_token() -> None:
    first = _render(1, "same", token="a" * 64)
    second = _render(1, "same", token="b" * 64)

    assert 'value="' + "a" * 64 + '"' in first
    assert 'value="' + "b" * 64 + '"' in second
    assert "placeholder" not in second


def test_language_and_timezone_are_part_of_the_key() -> None:
    _render(1, "english")
    with translation.override("it"):
        assert _render(1, "italiano").startswith("italiano|")
    with timezone.override("Asia/Tokyo"):
        assert _render(1, "tokyo").startswith("tokyo|")
    assert _render(1, "again").startswith("english|")


@pytest.mark.parametrize("value", [{"a": 1}, {1, 2}, [1, "x"], None, True])
def test_containers_and_scalars_make_keys(value: object) -> None:
    _render(value, "first")
    assert _render(value, "second").startswith("first|")


def test_dicts_with_other_values_are_other_keys() -> None:
    _render({"heart": 1}, "one")
    assert _render({"heart": 2}, "two").startswith("two|")


@pytest.mark.parametrize(
    "source",
    [
        "{% load cerchia_ui %}{% fragment %}x{% endfragment %}",
        '{% load cerchia_ui %}{% fragment "no spaces!" %}x{% endfragment %}',
    ],
)
def test_bad_usage_is_a_template_error(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template(source)
