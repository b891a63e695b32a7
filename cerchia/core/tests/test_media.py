import pytest
from django.test import Client


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n fake")
    (tmp_path / "avatars" / "evil.html").write_text("<script>alert(1)</script>")
    return tmp_path


def test_uploaded_image_is_served_inline_and_sandboxed(media_root):
    response = Client().get("/media/avatars/a.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/media/avatars/evil.html", "/media/avatars/missing.png", "/media/../settings.py"]
)
def test_anything_else_is_404(media_root, path):
    assert Client().get(path).status_code == 404


def test_only_safe_methods(media_root):
    assert Client().post("/media/avatars/a.png").status_code == 405
