"""Event photos: checked by their content, re-encoded without any metadata, kept under the
instance folder (never under static/), written only when the request's changes are
committed."""
from __future__ import annotations

import os
import uuid
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

from healthgrid.extensions import db

from . import rules


@dataclass
class Upload:
    """A photo that passed the checks, not yet written."""
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return rules.IMAGE_KINDS[self.content_type]


class PhotoRejected(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def photo_dir() -> Path:
    """EVENT_PHOTO_DIR (HEALTHGRID_EVENT_PHOTO_DIR; relative to the instance folder), by
    default instance/event_photos. Every app server must see the same folder."""
    instance = Path(current_app.instance_path)
    return instance / (current_app.config.get("EVENT_PHOTO_DIR") or "event_photos")


def check_uploads(files, already: int, s: rules.EventSettings = rules.SETTINGS) -> list[Upload]:
    """The chosen files as checked photos, or PhotoRejected naming the first problem. An
    empty file field (nothing chosen) is no photo."""
    chosen = [f for f in files if f is not None and (f.filename or "").strip()]
    if already + len(chosen) > s.max_photos:
        raise PhotoRejected(_l("An event keeps at most %(n)s photos.", n=s.max_photos))
    uploads = []
    for upload in chosen:
        data = upload.stream.read(s.max_photo_bytes + 1)
        if len(data) > s.max_photo_bytes:
            raise PhotoRejected(_l("“%(name)s” is larger than %(mb)s MB.", name=upload.filename,
                                   mb=s.max_photo_bytes // (1024 * 1024)))
        kind = rules.image_kind(data[:16])
        if kind is None:
            raise PhotoRejected(_l("“%(name)s” is not a JPEG, PNG or WebP photo.",
                                   name=upload.filename))
        uploads.append(Upload(picture_alone(data, kind, upload.filename, s), kind))
    return uploads


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")


def picture_alone(data: bytes, kind: str, filename: str,
                  s: rules.EventSettings = rules.SETTINGS) -> bytes:
    """The photo's pixels encoded afresh, in its own format: nothing of the file but the
    picture is kept. A phone's photo carries EXIF (the GPS position where it was taken, the
    device, the time), XMP, comments and a colour profile naming the device; none of it is
    stored or served. The EXIF orientation is applied to the pixels first, so the picture
    stands as it was taken; a colour profile is applied too (converted to sRGB)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[_FORMATS[kind]]) as image:
                if image.width * image.height > s.max_photo_pixels:
                    raise PhotoRejected(_l(
                        "“%(name)s” has more than %(mp)s million pixels.", name=filename,
                        mp=s.max_photo_pixels // 1_000_000))
                image.load()
                upright = ImageOps.exif_transpose(image)
            # The file's image is closed (its memory freed) before the pixels are copied.
            picture = _pixels(upright)
            del upright
    except PhotoRejected:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(_l("“%(name)s” is not a JPEG, PNG or WebP photo.",
                               name=filename)) from exc
    out = BytesIO()
    if kind == "image/jpeg":
        picture.save(out, "JPEG", quality=90, optimize=True)
    elif kind == "image/png":
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=90)
    return out.getvalue()


def _pixels(image: Image.Image) -> Image.Image:
    """A new image holding only `image`'s pixels (its first frame): no info, no EXIF."""
    icc = image.info.get("icc_profile")
    if icc:
        try:
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(BytesIO(icc)), _SRGB,
                outputMode="RGBA" if "A" in image.getbands() else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "CMYK"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
    if image.info.get("transparency") is not None:  # which colour is see-through: pixels
        clean.info["transparency"] = image.info["transparency"]
    clean.paste(image, (0, 0))
    return clean


def new_name(upload: Upload) -> str:
    return f"{uuid.uuid4().hex}.{upload.extension}"


def path_of(stored_name: str) -> Path:
    # Names are made here (uuid + extension); anything else never names a file.
    if not stored_name or "/" in stored_name or "\\" in stored_name or \
            stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return photo_dir() / stored_name


def commit_with_files(pending: list[tuple[str, bytes]]) -> None:
    """Write the photos, then commit; on any failure remove what was written and roll back,
    so that a photo never exists without its row nor a row without its photo."""
    written: list[Path] = []
    try:
        if pending:
            folder = photo_dir()
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for name, data in pending:
                target = path_of(name)
                partial = target.with_name(target.name + ".part")
                written += [target, partial]
                with open(partial, "xb") as handle:
                    handle.write(data)
                os.replace(partial, target)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
