"""Event photos: checked by their content, kept under the instance folder (never under
static/), written only when the request's changes are committed."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

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
        uploads.append(Upload(data, kind))
    return uploads


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
