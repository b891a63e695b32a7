"""Community forms: they shape input for the actions and show the actions' refusals."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cerchia.communities.forms import (
    CommunityCreateForm,
    CommunityGeneralForm,
    CommunityMembershipForm,
    DirectoryFilterForm,
    InvitationForm,
    JoinRequestForm,
    MemberFilterForm,
    add_action_errors,
)
from cerchia.communities.models import Community

BASE = {
    "name": "Caffè & Co. Torino",
    "tagline": "Espresso under the arcades",
    "language": "it",
    "visibility": "public",
    "join_policy": "open",
}


def image_upload(fmt: str = "JPEG", size: tuple[int, int] = (3000, 1500)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#6b7a3a").save(buffer, fmt)
    return SimpleUploadedFile(f"cover.{fmt.lower()}", buffer.getvalue())


def test_create_form_suggests_the_address_from_the_name():
    form = CommunityCreateForm(BASE)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["slug"] == "caffe-co-torino"


def test_create_form_keeps_a_chosen_address():
    form = CommunityCreateForm(BASE | {"slug": "caffe"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["slug"] == "caffe"


def test_create_form_asks_for_an_address_when_the_name_makes_none():
    form = CommunityCreateForm(BASE | {"name": "☕"})
    assert not form.is_valid()
    assert "slug" in form.errors


def test_create_form_shapes_tags_and_questions():
    data = BASE | {
        "interests": "Espresso, Home Barista, espresso, ",
        "screening_questions": "  Which machine?\n\nWhich grinder?  \r\n",
        "member_cap": "12",
    }
    form = CommunityCreateForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["interests"] == ["espresso", "home-barista"]
    assert form.cleaned_data["screening_questions"] == ["Which machine?", "Which grinder?"]
    assert form.cleaned_data["member_cap"] == 12
    assert set(form.action_kwargs()) == {
        "name", "slug", "tagline", "description", "interests", "language", "rules",
        "cover", "visibility", "join_policy", "member_cap", "screening_questions", "brand_name",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"interests": "a"}, "interests"),
        ({"interests": ",".join(f"tag{i}" for i in range(11))}, "interests"),
        ({"member_cap": "0"}, "member_cap"),
        ({"member_cap": "-3"}, "member_cap"),
        ({"visibility": "everyone"}, "visibility"),
        ({"language": "xx"}, "language"),
        ({"tagline": "x" * 141}, "tagline"),
        ({"slug": "-bad-"}, "slug"),
    ],
)
def test_create_form_rejects_bad_values(data, field):
    form = CommunityCreateForm(BASE | data)
    assert not form.is_valid()
    assert field in form.errors


def test_cover_is_resized_and_re_encoded():
    form = CommunityCreateForm(BASE, {"cover": image_upload()})
    assert form.is_valid(), form.errors
    cover = form.cleaned_data["cover"]
    assert cover.name.endswith(".jpg")
    with Image.open(cover) as image:
        assert image.size[0] <= 1600
        assert image.size[1] <= 600


def test_cover_must_be_an_image():
    upload = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)>")
    form = CommunityCreateForm(BASE, {"cover": upload})
    assert not form.is_valid()
    assert "cover" in form.errors


def test_no_cover_is_none():
    form = CommunityCreateForm(BASE)
    assert form.is_valid()
    assert form.cleaned_data["cover"] is None


@pytest.mark.django_db
def test_settings_forms_start_from_the_community(public_community):
    public_community.interests.create(slug="coffee", name="coffee")
    general = CommunityGeneralForm(initial=CommunityGeneralForm.initial_for(public_community))
    assert 'value="coffee"' in str(general["interests"])
    membership = CommunityMembershipForm(
        initial=CommunityMembershipForm.initial_for(public_community)
    )
    assert membership["visibility"].value() == "public"


def test_general_form_requires_the_address_and_removes_the_cover_only_without_a_new_one():
    form = CommunityGeneralForm({k: v for k, v in BASE.items() if k in ("name", "tagline")})
    assert not form.is_valid()
    assert "slug" in form.errors
    data = {"name": "A", "slug": "abc", "tagline": "t", "language": "en", "remove_cover": "on"}
    form = CommunityGeneralForm(data)
    assert form.is_valid(), form.errors
    assert form.action_kwargs()["remove_cover"] is True
    form = CommunityGeneralForm(data, {"cover": image_upload("PNG", (20, 20))})
    assert form.is_valid(), form.errors
    assert form.action_kwargs()["remove_cover"] is False


def test_join_request_form_has_one_answer_per_question():
    community = Community(screening_questions=["Camera?", "Film?"], rules="Be kind.")
    form = JoinRequestForm(
        {"answer_0": "FM2", "answer_1": "Tri-X", "accept_rules": "on"}, community=community
    )
    assert form.is_valid(), form.errors
    assert form.action_kwargs() == {
        "answers": ["FM2", "Tri-X"],
        "message": "",
        "accept_rules": True,
    }
    assert [field.label for field in form.answer_fields()] == ["Camera?", "Film?"]


def test_join_request_form_without_rules_or_questions():
    form = JoinRequestForm({}, community=Community(screening_questions=[], rules=""))
    assert "accept_rules" not in form.fields
    assert form.is_valid()
    assert form.action_kwargs()["accept_rules"] is True


def test_join_request_form_needs_every_answer():
    form = JoinRequestForm({"answer_0": "  "}, community=Community(screening_questions=["Q?"]))
    assert not form.is_valid()
    assert "answer_0" in form.errors


def test_invitation_form_turns_days_into_a_duration():
    form = InvitationForm({"expires_days": "3", "max_uses": "10"})
    assert form.is_valid()
    assert form.action_kwargs() == {
        "email": "",
        "expires_in": timedelta(days=3),
        "max_uses": 10,
    }
    form = InvitationForm({})
    assert form.is_valid()
    assert form.action_kwargs()["expires_in"] is None


def test_action_errors_land_on_their_fields():
    form = InvitationForm({})
    assert form.is_valid()
    add_action_errors(
        form,
        ValidationError({"expires_in": ["Too long."], "elsewhere": ["Something else."]}),
        InvitationForm.ERROR_ALIASES,
    )
    assert form.errors["expires_days"] == ["Too long."]
    assert form.non_field_errors() == ["Something else."]


def test_action_error_without_fields_is_a_form_error():
    form = InvitationForm({})
    assert form.is_valid()
    add_action_errors(form, ValidationError("Nope."))
    assert form.non_field_errors() == ["Nope."]


def test_filters_drop_values_that_do_not_fit():
    members = MemberFilterForm({"q": "mia", "role": "emperor"})
    members.is_valid()
    assert members.cleaned_data == {"q": "mia"}
    directory = DirectoryFilterForm({"q": "x" * 500, "tag": "coffee"})
    directory.is_valid()
    assert directory.cleaned_data == {"tag": "coffee"}
