"""The interface foundation: colour contrast, template tags, base layout, forms, allauth, errors."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory
from django.urls import reverse

from cerchia.core.templatetags import cerchia_ui

STATIC = Path(cerchia_ui.__file__).resolve().parent.parent.parent / "static"
CSS = STATIC / "cerchia" / "cerchia.css"
AA = 4.5


# --------------------------------------------------------------------- contrast


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--c-[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def colour_schemes() -> dict[str, dict[str, str]]:
    """Colour tokens of the light scheme and of the dark one (which overrides the light)."""
    css = CSS.read_text(encoding="utf-8")
    light = re.search(r"^:root \{(.*?)^\}", css, re.S | re.M)
    dark = re.search(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\n  \}", css, re.S)
    assert light, "cerchia.css must define its tokens on :root"
    assert dark, "cerchia.css must override the colour tokens for the dark scheme"
    light_tokens = _tokens(light.group(1))
    return {"light": light_tokens, "dark": {**light_tokens, **_tokens(dark.group(1))}}


def listed_pairs() -> list[tuple[str, str, float, float]]:
    """The (text, background, stated light ratio, stated dark ratio) rows of the comment block."""
    css = CSS.read_text(encoding="utf-8")
    block = re.search(r"contrast-pairs:\n(.*?)end-contrast-pairs", css, re.S)
    assert block, "cerchia.css lost its contrast-pairs comment block"
    rows = re.findall(
        r"(--c-[\w-]+) on (--c-[\w-]+)\s+(\d+\.\d+)\s*\|\s*(\d+\.\d+)", block.group(1)
    )
    return [(fg, bg, float(light), float(dark)) for fg, bg, light, dark in rows]


def test_relative_luminance_reference_values() -> None:
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == pytest.approx(0.0)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_contrast_pairs_are_listed_for_the_core_colours() -> None:
    pairs = {(fg, bg) for fg, bg, _light, _dark in listed_pairs()}
    assert len(pairs) >= 30
    for required in [
        ("--c-ink", "--c-bg"),
        ("--c-ink-muted", "--c-bg"),
        ("--c-link", "--c-bg"),
        ("--c-on-accent", "--c-accent"),
        ("--c-on-danger", "--c-danger"),
        ("--c-danger-ink", "--c-danger-soft"),
    ]:
        assert required in pairs


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_listed_pair_meets_aa(scheme: str) -> None:
    tokens = colour_schemes()[scheme]
    column = 2 if scheme == "light" else 3
    failures = []
    for row in listed_pairs():
        fg, bg = row[0], row[1]
        assert fg in tokens, f"{fg} is not a colour token"
        assert bg in tokens, f"{bg} is not a colour token"
        ratio = contrast_ratio(tokens[fg], tokens[bg])
        if ratio < AA:
            failures.append(f"{fg} on {bg}: {ratio:.2f}")
        assert ratio == pytest.approx(row[column], abs=0.01), (
            f"the comment says {fg} on {bg} is {row[column]} in {scheme}, it is {ratio:.2f}"
        )
    assert not failures, f"under {AA}:1 in {scheme}: {failures}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_and_control_borders_are_visible(scheme: str) -> None:
    tokens = colour_schemes()[scheme]
    for background in ("--c-bg", "--c-surface", "--c-surface-sunken"):
        assert contrast_ratio(tokens["--c-focus"], tokens[background]) >= 3
        assert contrast_ratio(tokens["--c-border-strong"], tokens[background]) >= 3


def test_every_avatar_hue_has_a_listed_pair() -> None:
    pairs = {(fg, bg) for fg, bg, _l, _d in listed_pairs()}
    for hue in range(cerchia_ui.AVATAR_HUES):
        assert ("--c-on-avatar", f"--c-avatar-{hue}") in pairs
        assert f".avatar--hue-{hue}" in CSS.read_text(encoding="utf-8")


def test_stylesheet_respects_motion_and_colour_preferences() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "@media (prefers-reduced-motion: reduce)" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert ":focus-visible" in css


# ------------------------------------------------------------------- icon tag


def render(source: str, context: dict[str, Any] | None = None) -> str:
    return Template("{% load cerchia_ui %}" + source).render(Context(context or {}))


def test_decorative_icon_is_hidden_from_assistive_tech() -> None:
    html = render('{% icon "users" %}')
    assert html.startswith('<svg class="icon"')
    assert 'aria-hidden="true"' in html
    assert "role=" not in html
    assert "<path" in html or "<circle" in html


def test_labelled_icon_is_an_image_with_escaped_label() -> None:
    html = render('{% icon "lock" label=label size="sm" %}', {"label": 'Private <"x">'})
    assert 'role="img"' in html
    assert 'aria-label="Private &lt;&quot;x&quot;&gt;"' in html
    assert "aria-hidden" not in html
    assert 'class="icon icon--sm"' in html


def test_unknown_icon_fails_loudly() -> None:
    with pytest.raises(ValueError, match="Unknown icon"):
        render('{% icon "no-such-icon" %}')
    with pytest.raises(ValueError, match="Bad icon name"):
        render('{% icon "../secret" %}')


def test_every_vendored_icon_renders() -> None:
    names = (STATIC / "vendor" / "lucide" / "ICONS").read_text().split()
    assert len(names) >= 30
    for name in names:
        assert "<" in cerchia_ui.icon_body(name)
    assert (STATIC / "vendor" / "lucide" / "LICENSE").is_file()
    assert (STATIC / "vendor" / "htmx" / "LICENSE").is_file()
    assert (STATIC / "vendor" / "htmx" / "htmx.min.js").is_file()


# ----------------------------------------------------------------- avatar tag


def person(name: str = "Giulia Rossi", handle: str = "giulia", avatar: Any = None) -> Any:
    display_name = name
    return SimpleNamespace(pk=1, name=display_name or handle, handle=handle, avatar=avatar)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Giulia Rossi", "GR"),
        ("mario_bianchi", "MB"),
        ("anna", "A"),
        ("Anna Maria de Luca", "AL"),
        ("élodie", "É"),
        ("  ", "?"),
        ("__", "?"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert cerchia_ui.initials(name) == expected


def test_avatar_initials_fallback_has_name_and_stable_colour() -> None:
    html = render('{% avatar user size="lg" %}', {"user": person()})
    hue = cerchia_ui.avatar_hue("giulia")
    assert f"avatar--hue-{hue}" in html
    assert "avatar--lg" in html
    assert 'role="img" aria-label="Giulia Rossi"' in html
    assert ">GR</span>" in html
    assert cerchia_ui.avatar_hue("Giulia") == hue
    assert len({cerchia_ui.avatar_hue(f"member{i}") for i in range(40)}) > 4


def test_decorative_avatar_is_hidden() -> None:
    html = render("{% avatar user decorative=True %}", {"user": person()})
    assert 'aria-hidden="true"' in html
    assert "aria-label" not in html


def test_avatar_image_with_alt_text_and_size() -> None:
    image = SimpleNamespace(url="/media/avatars/g.webp")
    html = render('{% avatar user size="sm" %}', {"user": person(avatar=image)})
    assert html.startswith("<img ")
    assert 'src="/media/avatars/g.webp"' in html
    assert 'alt="Giulia Rossi"' in html
    assert 'width="32" height="32"' in html
    decorative = render("{% avatar user decorative=True %}", {"user": person(avatar=image)})
    assert 'alt=""' in decorative


def test_avatar_escapes_names_and_survives_missing_people() -> None:
    html = render("{% avatar user %}", {"user": person(name="<b>Eve</b>", handle="eve")})
    assert "<b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    gone = render('{% avatar user size="huge" %}', {"user": None})
    assert "avatar--ghost" in gone
    assert "avatar--md" in gone
    assert 'aria-label="Deleted member"' in gone


def test_avatar_stack_limits_and_counts_the_rest() -> None:
    people = [person(name=f"Member {i}", handle=f"m{i}") for i in range(7)]
    html = render("{% avatar_stack people limit=3 %}", {"people": people})
    assert html.count('class="avatar ') == 3
    assert "+4 more" in html
    assert render("{% avatar_stack people %}", {"people": []}).strip() == ""


@pytest.mark.django_db
def test_avatar_for_a_real_member(member: Any) -> None:
    html = render("{% avatar user %}", {"user": member})
    assert f'aria-label="{member.name}"' in html


# ---------------------------------------------------------------- label tags


@pytest.mark.parametrize("role", ["owner", "moderator", "member"])
def test_role_label(role: str) -> None:
    html = render("{% role_label role %}", {"role": role})
    assert f'class="pill pill--{role}"' in html
    assert role.capitalize() in html


def test_role_label_ignores_unknown_roles() -> None:
    assert render("{% role_label role %}", {"role": "emperor"}) == ""
    assert render("{% role_label role %}", {"role": None}) == ""


def test_affiliation_and_sponsored_labels() -> None:
    html = render('{% affiliation_label "brand" name=name %}', {"name": "Velo <Alpino>"})
    assert "pill--brand" in html
    assert "Brand · Velo &lt;Alpino&gt;" in html
    assert render('{% affiliation_label "alien" %}') == ""
    band = render('{% sponsored_band "Velo Alpino" %}')
    assert 'class="sponsored-band"' in band
    assert "<span>Sponsored by <strong>Velo Alpino</strong></span>" in band


def test_capture_collects_a_block_and_strips_it() -> None:
    html = render('{% capture "x" %}  hello {{ who }}  {% endcapture %}[{{ x }}]', {"who": "you"})
    assert html == "[hello you]"
    with pytest.raises(TemplateSyntaxError):
        Template("{% load cerchia_ui %}{% capture %}{% endcapture %}")


# ----------------------------------------------------------------- base page


def page_request(path: str = "/", user: Any = None) -> Any:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request: Any = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.csp_nonce = "nonce123"
    return request


def assert_csp_friendly(html: str) -> None:
    assert not re.search(r"\sstyle=", html), "inline style attributes are blocked by the CSP"
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag or "application/json" in tag, tag


@pytest.mark.django_db
def test_base_page_landmarks_and_scripts(client: Any) -> None:
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<header class="site-header">' in html
    assert '<nav class="site-nav container" aria-label="Main">' in html
    assert '<main id="main"' in html
    assert '<footer class="site-footer">' in html
    csrf = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else ""
    assert re.search(r"""<body[^>]* hx-headers='\{"X-CSRFToken": "[\w-]+"\}'""", html)
    assert csrf or "X-CSRFToken" in html
    assert re.search(r'<script src="/static/vendor/htmx/htmx.min.js" defer>', html)
    assert re.search(r'<script src="/static/cerchia/cerchia.js" defer>', html)
    assert '<link rel="stylesheet" href="/static/cerchia/cerchia.css">' in html
    assert_csp_friendly(html)


@pytest.mark.django_db
def test_language_switcher_posts_without_javascript(client: Any) -> None:
    html = client.get(reverse("account_login")).content.decode()
    form = re.search(
        r'<form class="language-form" action="([^"]+)" method="post">(.*?)</form>', html, re.S
    )
    assert form, "the footer has a language form"
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<input type="hidden" name="next" value="/accounts/login/">' in form.group(2)
    assert '<option value="it" lang="it">' in form.group(2)
    assert 'type="submit"' in form.group(2)


@pytest.mark.django_db
def test_nav_for_anonymous_and_signed_in_people(client: Any, member: Any) -> None:
    html = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_signup")}"' in html
    assert "Sign out" not in html
    client.force_login(member)
    html = client.get(reverse("account_email")).content.decode()
    assert f'<form method="post" action="{reverse("account_logout")}">' in html
    assert f'href="{reverse("accounts:profile", args=[member.handle])}"' in html
    assert f'href="{reverse("accounts:settings")}"' in html
    assert "Sign up" not in html


def test_sidebar_column_only_when_a_page_fills_it() -> None:
    request = page_request()
    without = Template('{% extends "base.html" %}{% block content %}body{% endblock %}').render(
        Context({"request": request, "user": request.user})
    )
    assert "layout--with-sidebar" not in without
    assert "<aside" not in without
    with_sidebar = Template(
        '{% extends "base.html" %}{% block content %}body{% endblock %}'
        "{% block sidebar %}side{% endblock %}"
    ).render(Context({"request": request, "user": request.user}))
    assert "layout--with-sidebar" in with_sidebar
    assert re.search(
        r'<aside class="layout__sidebar" aria-label="[^"]+">\s*side\s*</aside>', with_sidebar
    )


def test_messages_render_as_dismissible_toasts() -> None:
    from django.contrib import messages

    request = page_request()
    messages.success(request, "Saved <yay>")
    messages.error(request, "Nope")
    html = render_to_string("_partials/messages.html", request=request)
    assert 'class="toast toast--success"' in html
    assert "Saved &lt;yay&gt;" in html
    assert 'class="toast toast--error" data-toast data-level="error" role="alert"' in html
    assert html.count("data-toast-close hidden") == 2


# ------------------------------------------------------------------ form renderer


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=10, help_text="What people see.")
    bio = forms.CharField(label="Bio", widget=forms.Textarea, required=False)
    visibility = forms.ChoiceField(
        label="Visibility", choices=[("public", "Public"), ("private", "Private")],
        widget=forms.RadioSelect,
    )  # fmt: skip
    agree = forms.BooleanField(label="I accept the rules", help_text="Read them first.")


def test_project_forms_render_through_our_templates() -> None:
    from django.conf import settings

    assert settings.FORM_RENDERER == "django.forms.renderers.TemplatesSetting"
    assert "django.forms" in settings.INSTALLED_APPS


def render_form(form_class: type[forms.Form], data: dict[str, Any] | None = None) -> str:
    return str(form_class(data=data))


def test_form_fields_have_labels_help_and_optional_markers() -> None:
    html = render_form(SampleForm)
    assert '<label class="field__label" for="id_name">Name</label>' in html
    assert '<div class="field__help" id="id_name_helptext">What people see.</div>' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<span class="field__optional">(optional)</span>' in html
    assert '<legend class="field__label">Visibility</legend>' in html
    assert 'class="field field--check"' in html


def test_form_errors_are_inline_and_announced() -> None:
    html = render_form(SampleForm, {"name": "x" * 20, "visibility": "nope"})
    assert 'class="field field--error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_name_error"' in html
    assert re.search(r'aria-describedby="id_name_helptext id_name_error"', html)
    assert 'class="field field--check field--error"' in html
    assert html.count('class="errorlist"') >= 3


def test_non_field_errors_sit_at_the_top() -> None:
    class PairForm(SampleForm):
        def clean(self) -> dict[str, Any]:
            raise forms.ValidationError("Those two do not match.")

    html = render_form(PairForm, {"name": "ok", "visibility": "public", "agree": "on"})
    assert html.lstrip().startswith('<div class="form__errors" role="alert">')
    assert "Those two do not match." in html


# ---------------------------------------------------------------------- allauth


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_allauth_entrance_pages_use_our_layout(client: Any, url_name: str) -> None:
    html = client.get(reverse(url_name)).content.decode()
    assert 'class="layout__main card entrance"' in html
    assert "container--narrow" in html
    assert '<form class="form" method="post"' in html
    assert 'class="btn btn--primary' in html
    assert '<label class="field__label" for="id_' in html
    assert_csp_friendly(html)


@pytest.mark.django_db
def test_signup_errors_are_inline(client: Any) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "123", "password2": "456"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field field--error"' in html
    assert re.search(r'<input type="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'aria-describedby="[^"]*id_email_error"', html)
    assert 'id="id_email_error"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["account_email", "account_change_password", "mfa_index", "mfa_activate_totp"]
)
def test_allauth_manage_pages_sit_in_settings(client: Any, member: Any, url_name: str) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(member)
    response = client.get(reverse(url_name))
    if response.status_code == 302:  # reauthentication first
        response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="layout__main card manage"' in html or "card entrance" in html
    assert_csp_friendly(html)


# ------------------------------------------------------------------ error pages


@pytest.mark.django_db
def test_404_page_extends_the_base(client: Any) -> None:
    response = client.get("/this/does/not/exist/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html
    assert '<main id="main"' in html
    assert_csp_friendly(html)


@pytest.mark.parametrize("name", ["403.html", "429.html"])
def test_other_error_pages_render(name: str) -> None:
    request = page_request()
    html = render_to_string(name, request=request)
    assert '<main id="main"' in html
    assert "btn btn--" in html


def test_500_page_needs_no_request_context() -> None:
    html = get_template("500.html").render({})
    assert "Something went wrong on our side" in html
    assert "/static/cerchia/cerchia.css" in html
    assert "{%" not in html


# ------------------------------------------------------------------ components


def styleguide_context() -> dict[str, Any]:
    """Sample data for _partials/styleguide.html (also used to take screenshots)."""
    names = [
        ("Giulia Rossi", "giulia", "owner", ""),
        ("Marco Bianchi", "marco_b", "moderator", "brand"),
        ("Sofia Ricci", "sofia", "member", "ambassador"),
        ("Tom Baker", "tom", "member", "staff"),
        ("Lena Hofer", "lena_h", "member", ""),
        ("Paolo Greco", "paolo", "member", "partner"),
    ]
    people = [
        SimpleNamespace(pk=i + 1, name=n, handle=h, avatar=None, role=r, affiliation=a)
        for i, (n, h, r, a) in enumerate(names)
    ]

    def tags(*names: str) -> Any:
        return SimpleNamespace(all=[SimpleNamespace(name=n) for n in names])

    communities = [
        SimpleNamespace(
            name="Espresso at home", slug="espresso", tagline="Dialling in, one shot at a time.",
            member_count=128, visibility="public", language="en", cover=None,
            interests=tags("espresso", "coffee"), membership=SimpleNamespace(role="owner"),
        ),
        SimpleNamespace(
            name="Pellicola", slug="pellicola",
            tagline="Fotografia analogica, dallo scatto alla stampa.",
            member_count=1, visibility="private", language="it", cover=None,
            interests=tags("film-photography"), membership=None,
        ),
        SimpleNamespace(
            name="Dolomiti trail", slug="dolomiti", tagline="Trail running above 2000 m.",
            member_count=42, visibility="hidden", language="en", cover=None,
            interests=tags(), membership=SimpleNamespace(role="moderator"),
        ),
    ]  # fmt: skip
    topics = [
        SimpleNamespace(title="Welcome! Introduce yourself", author=people[0], reply_count=23,
                        last_activity_at=None, unread=False, pinned=True),
        SimpleNamespace(title="Which grinder under 300 €?", author=people[2], reply_count=1,
                        last_activity_at=None, unread=True, pinned=False),
    ]  # fmt: skip
    form = SampleForm(data={"name": "x" * 20, "visibility": "public"})
    return {
        "people": people,
        "nobody": None,
        "sizes": ["xs", "sm", "md", "lg", "xl"],
        "communities": communities,
        "topics": topics,
        "form": form,
    }


def render_styleguide() -> str:
    request = page_request("/styleguide/")
    return render_to_string("_partials/styleguide.html", styleguide_context(), request=request)


def test_every_component_renders_in_the_styleguide() -> None:
    html = render_styleguide()
    for css_class in [
        "btn btn--primary", "btn btn--danger", "pill pill--owner", "pill pill--brand",
        "community-card", "member-card", "topic-row topic-row--unread", "empty-state",
        "toast toast--success", "tabs__tab", "table-wrap", "pagination", "sponsored-band",
        "avatar-stack", "layout--with-sidebar", "field field--error",
    ]:  # fmt: skip
        assert css_class in html, css_class
    assert_csp_friendly(html)
