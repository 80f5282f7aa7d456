"""The text of a PDF written by WeasyPrint, read from the PDF bytes themselves (no PDF library is
installed, and the acceptance test must scan what is actually in the file).

Handles what WeasyPrint (pydyf) writes: objects with direct /Length, Flate-compressed streams,
object streams, Type0 fonts with Identity-H 2-byte codes and a ToUnicode CMap (bfchar and
bfrange). Returns every string a PDF viewer could show or copy: each text-showing operator's
text (one line each, in drawing order) and every string in the document's dictionaries
(document title, bookmarks, link targets). Tests that scan this output for what must not be
there also check that what must be there is found, so a reader that sees nothing cannot pass.
"""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+)\s+\d+\s+obj\b")
REFERENCE = re.compile(rb"/([^\s/<>\[\]()]+)\s*(\d+)\s+0\s+R")
TOKEN = re.compile(
    rb"/[^\s/<>\[\]()]+"  # name
    rb"|<[0-9a-fA-F\s]*>"  # hex string
    rb"|\((?:\\.|[^\\)])*\)"  # literal string (WeasyPrint writes no nested parentheses)
    rb"|\[|\]"
    rb"|[-+]?(?:\d+\.?\d*|\.\d+)"  # number
    rb"|[A-Za-z'\"*]+",  # operator
    re.S,
)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary bytes, decoded stream or None), object streams unpacked."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    position = 0
    while match := OBJECT.search(pdf, position):
        number, start = int(match.group(1)), match.end()
        stream_at = pdf.find(b"stream", start)
        end_at = pdf.find(b"endobj", start)
        if 0 <= stream_at < end_at:
            head = pdf[start:stream_at]
            length = int(re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", head).group(1))
            data_at = stream_at + len(b"stream")
            data_at += 2 if pdf[data_at : data_at + 2] == b"\r\n" else 1
            data = pdf[data_at : data_at + length]
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            objects[number] = (head, data)
            position = pdf.find(b"endobj", data_at + length) + len(b"endobj")
        else:
            objects[number] = (pdf[start:end_at], None)
            position = end_at + len(b"endobj")
    for head, data in list(objects.values()):
        if data is not None and b"/ObjStm" in head:
            count = int(re.search(rb"/N\s+(\d+)", head).group(1))
            first = int(re.search(rb"/First\s+(\d+)", head).group(1))
            numbers = [int(n) for n in data[:first].split()[: 2 * count]]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[number] = (data[first + offset : first + end], None)
    return objects


def _utf16(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode()).decode("utf-16-be", errors="replace")


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap: character code → text."""
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, rest in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block
        ):
            low_code, high_code = int(low, 16), int(high, 16)
            if rest.startswith(b"["):
                targets = re.findall(rb"<([0-9a-fA-F]+)>", rest)
                for offset, target in enumerate(targets):
                    mapping[low_code + offset] = _utf16(target)
            else:
                first = int(rest[1:-1], 16)
                for offset in range(high_code - low_code + 1):
                    mapping[low_code + offset] = chr(first + offset)
    return mapping


def _literal(token: bytes) -> bytes:
    body = token[1:-1]
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: (
            bytes([int(m.group(1), 8) & 0xFF])
            if m.group(1)[:1].isdigit()
            else escapes.get(m.group(1), m.group(1))
        ),
        body,
        flags=re.S,
    )


def _show(token: bytes, cmap: dict[int, str] | None) -> str:
    """The text of one string operand of Tj/TJ in the current font."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    else:
        raw = _literal(token)
    if cmap is None:  # a simple font: take the bytes as Latin-1
        return raw.decode("latin-1")
    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
    return "".join(cmap.get(code, "\ufffd") for code in codes)


def _dictionary_string(token: bytes) -> str:
    if token.startswith(b"<"):
        digits = re.sub(rb"\s", b"", token[1:-1])
        if digits.lower().startswith(b"feff"):
            return _utf16(digits[4:])
        return bytes.fromhex(digits.decode()).decode("latin-1")
    raw = _literal(token)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    # Fonts: object → its ToUnicode map; resource name → map.
    font_maps: dict[int, dict[int, str]] = {}
    for number, (head, _data) in objects.items():
        if match := re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", head):
            font_maps[number] = _cmap(objects[int(match.group(1))][1] or b"")
    names: dict[bytes, dict[int, str]] = {}
    for head, _data in objects.values():
        for name, number in REFERENCE.findall(head):
            if int(number) in font_maps:
                names[name] = font_maps[int(number)]
    contents: list[int] = []
    for head, _data in objects.values():
        if re.search(rb"/Type\s*/Page\b", head):
            if match := re.search(rb"/Contents\s*(\d+)\s+0\s+R", head):
                contents.append(int(match.group(1)))
            elif match := re.search(rb"/Contents\s*\[([^\]]*)\]", head):
                contents += [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", match.group(1))]
    lines: list[str] = []
    for number in contents:
        operands: list[bytes | list[bytes]] = []
        cmap: dict[int, str] | None = None
        array: list[bytes] | None = None
        for token in TOKEN.findall(objects[number][1] or b""):
            if token == b"[":
                array = []
            elif token == b"]":
                operands.append(array or [])
                array = None
            elif array is not None:
                if token[:1] in b"<(":
                    array.append(token)  # numbers in TJ arrays are kerning
            elif token[:1] in b"/<(+-.0123456789":
                operands.append(token)
            else:  # an operator
                last = operands[-1] if operands else None
                if token == b"Tf" and len(operands) >= 2 and isinstance(operands[-2], bytes):
                    cmap = names.get(operands[-2][1:])
                elif token in (b"Tj", b"'", b'"') and isinstance(last, bytes):
                    lines.append(_show(last, cmap))
                elif token == b"TJ" and isinstance(last, list):
                    lines.append("".join(_show(part, cmap) for part in last))
                operands = []
    content_objects = set(contents)
    for number, (head, data) in objects.items():
        if number in content_objects:
            continue  # read above
        if data is not None:  # fonts, CMaps, cross-references; XMP metadata is text
            if re.search(rb"/Type\s*/Metadata", head):
                lines.append(data.decode("utf-8", errors="replace"))
            continue
        for token in re.findall(rb"<[0-9a-fA-F\s]+>|\((?:\\.|[^\\)])*\)", head):
            lines.append(_dictionary_string(token))
    return "\n".join(lines)


def pdf_response_text(response) -> str:
    """The text of a PDF page response, after checking it is served as an inline, uncached PDF
    (a printed page carries personal data: no copy in a shared cache)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    return pdf_text(response.content)
