"""Reading a ``.qdpx`` zip safely: find ``project.qde``, refuse oversized members before
reading them, parse with a hardened XML parser."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import ExchangeError
from .schema import redact, secure_parser

MAX_QDE_BYTES = 256 * 1024 * 1024
MAX_SOURCE_BYTES = 100 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass
class Package:
    path: Path
    zf: zipfile.ZipFile
    root: etree._Element
    max_source_bytes: int

    def member(self, internal_path: str) -> zipfile.ZipInfo | None:
        """The zip entry of ``internal://name`` (looked up in ``sources/``, case-insensitively)."""
        name = internal_path.split("://", 1)[-1].lstrip("/")
        wanted = {f"sources/{name}".lower(), name.lower()}
        for info in self.zf.infolist():
            if info.filename.replace("\\", "/").lower() in wanted:
                return info
        return None

    def read_source(self, info: zipfile.ZipInfo, *, what: str) -> bytes:
        return read_limited(self.zf, info, self.max_source_bytes, what=what, archive=self.path)

    def close(self) -> None:
        self.zf.close()


def read_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, *, what: str, archive: Path) -> bytes:
    """Read one member, refusing it by its declared size first and by its real size while
    reading (a forged header cannot make us hold more than ``limit`` bytes)."""
    if info.file_size > limit:
        raise ExchangeError(f"{archive.name}: {what} ({info.filename}) is {info.file_size} bytes, more than "
                            f"the limit of {limit} bytes; nothing was imported")
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    raise ExchangeError(f"{archive.name}: {what} ({info.filename}) is larger than the limit of "
                                        f"{limit} bytes; nothing was imported")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ExchangeError(f"{archive.name}: {info.filename} is damaged ({exc.__class__.__name__})") from exc
    return bytes(out)


def open_package(path: Path | str, *, max_qde_bytes: int = MAX_QDE_BYTES,
                 max_source_bytes: int = MAX_SOURCE_BYTES) -> Package:
    """Open a .qdpx and parse its project.qde (not yet validated)."""
    path = Path(path)
    if not path.is_file():
        raise ExchangeError(f"no such file: {path}")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExchangeError(f"{path.name} is not a .qdpx (zip) file ({exc.__class__.__name__})") from exc
    try:
        qde = [i for i in zf.infolist() if "/" not in i.filename.strip("/") and i.filename.lower().endswith(".qde")]
        qde.sort(key=lambda i: i.filename.lower() != "project.qde")
        if not qde:
            raise ExchangeError(f"{path.name} has no project.qde at its top level; not a REFI-QDA project")
        data = read_limited(zf, qde[0], max_qde_bytes, what="the project XML", archive=path)
        try:
            root = etree.fromstring(data, secure_parser())
        except etree.XMLSyntaxError as exc:
            raise ExchangeError(f"{path.name}: {qde[0].filename} is not well-formed XML "
                                f"(line {exc.lineno}: {redact(exc.msg)[:120]})") from exc
    except BaseException:
        zf.close()
        raise
    return Package(path, zf, root, max_source_bytes)


__all__ = ["Package", "open_package", "read_limited", "MAX_QDE_BYTES", "MAX_SOURCE_BYTES"]
