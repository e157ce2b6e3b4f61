"""Hand-made .qdpx files for the import tests (small, written here, no vendor material)."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

CODE_A = "c0de0000-0000-4000-8000-00000000000a"
CODE_B = "c0de0000-0000-4000-8000-00000000000b"
USER = "05e40000-0000-4000-8000-000000000001"
SRC = "5a5a0000-0000-4000-8000-000000000001"
CASE = "ca5e0000-0000-4000-8000-000000000001"
VAR_YEAR = "7a7a0000-0000-4000-8000-000000000001"
VAR_AGE = "7a7a0000-0000-4000-8000-000000000002"
NOTE = "4e4e0000-0000-4000-8000-000000000001"


def project_xml(*, origin: str = "Test QDA 1.0", selections: str = "", source_extra: str = "",
                case_refs: str = f'<SourceRef targetGUID="{SRC}"/>', case_name: str = "C",
                extra_top: str = "", code_b_guid: str = CODE_B, plain_text_path: str = f"internal://{SRC}.txt") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="test" origin="{origin}">
  <Users><User guid="{USER}" name="forsker"/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE_A}" name="Ventetid" isCodable="true" color="#c00">
      <Code guid="{code_b_guid}" name="Første samtale" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{VAR_YEAR}" name="År" typeOfVariable="Integer"/>
    <Variable guid="{VAR_AGE}" name="Alder" typeOfVariable="Integer"/>
  </Variables>
  <Cases><Case guid="{CASE}" name="{case_name}">
    <VariableValue><VariableRef targetGUID="{VAR_YEAR}"/><IntegerValue>2020</IntegerValue></VariableValue>
    {case_refs}
  </Case></Cases>
  <Sources>
    <TextSource guid="{SRC}" name="Intervju 1" plainTextPath="{plain_text_path}">
      {selections}
      <NoteRef targetGUID="{NOTE}"/>
      <VariableValue><VariableRef targetGUID="{VAR_YEAR}"/><IntegerValue>2020</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{VAR_AGE}"/><IntegerValue>44</IntegerValue></VariableValue>
      {source_extra}
    </TextSource>
  </Sources>
  <Notes><Note guid="{NOTE}" name="Notat" creatingUser="{USER}"><PlainTextContent>Et notat om intervjuet.</PlainTextContent></Note></Notes>
  {extra_top}
</Project>
"""


def selection(guid_n: int, start: int, end: int, code: str = CODE_A, user: str = USER) -> str:
    g = f"5e150000-0000-4000-8000-{guid_n:012d}"
    c = f"c0d10000-0000-4000-8000-{guid_n:012d}"
    return (f'<PlainTextSelection guid="{g}" startPosition="{start}" endPosition="{end}" creatingUser="{user}">'
            f'<Coding guid="{c}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def write_qdpx(path: Path, qde: str | None, files: dict[str, bytes | str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if qde is not None:
            zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def forge_size(path: Path, member: str, size: int) -> None:
    """Make the zip's central directory claim ``member`` is ``size`` bytes (uncompressed)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    i = 0
    while (i := data.find(b"PK\x01\x02", i)) >= 0:
        n_len = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46 : i + 46 + n_len]) == name:
            struct.pack_into("<I", data, i + 24, size)
        i += 4
    path.write_bytes(bytes(data))
