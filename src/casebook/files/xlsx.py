"""Workbooks that are the same bytes for the same data: openpyxl's timestamps fixed."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile

FIXED_TIME = (2021, 1, 1, 0, 0, 0)


def reproducible_xlsx(data: bytes, when: dt.datetime = dt.datetime(*FIXED_TIME)) -> bytes:
    """The same workbook with every timestamp set to `when`, so one commit gives one file.

    openpyxl stamps the save time into docProps/core.xml and the zip entries. Each entry is
    copied through in pieces: a large library's figures sheet is a gigabyte of XML unpacked.
    """
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", source.read(info.filename))
                target.writestr(entry, content)
                continue
            entry.file_size = info.file_size  # known up front, so no data descriptor is added
            with source.open(info) as reading, target.open(entry, "w") as writing:
                shutil.copyfileobj(reading, writing, _COPY_CHUNK)
    return out.getvalue()


_COPY_CHUNK = 1 << 20
