import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.stations import member_codes


@pytest.fixture
def png_upload():
    def make(name="photo.png"):
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
        return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")

    return make


@pytest.fixture
def member_code_resolver():
    """Plug a fake member-code check into the stations seam, as the accounts package will."""
    codes = {}
    member_codes.register_member_code_resolver(lambda code: codes.get(code))
    yield codes
    member_codes.register_member_code_resolver(None)
