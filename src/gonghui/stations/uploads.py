"""Checks for uploaded photos: the bytes must be an image of an accepted type, whatever the file name says."""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

ACCEPTED = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_BYTES = 5 * 1024 * 1024


def validate_photo(upload) -> str:
    """Return the extension to store the photo under; raise ValidationError for anything but a real image."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("照片不能超过5MB。"), code="photo_too_big")
    upload.seek(0)
    head = upload.read(261)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED:
        raise ValidationError(_("请上传 JPEG、PNG 或 WebP 格式的照片。"), code="photo_type")
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            img.verify()
    except Exception:
        raise ValidationError(_("照片文件已损坏，无法打开。"), code="photo_broken") from None
    upload.seek(0)
    upload.name = f"photo.{ACCEPTED[kind.mime]}"
    return ACCEPTED[kind.mime]
