#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: fuzz/corpus/<target>/<name>.

Every seed is made here, byte for byte, so the corpus can be regenerated and reviewed:
`python3 fuzz/make_corpus.py` rewrites the seeds (it removes nothing else from corpus/, so
inputs added by hand or kept from fuzzing stay). gzip members are written with a zero mtime
and compression level 9, plus one built by hand from a stored deflate block; zstd frames are
built by hand (raw and RLE blocks), so no zstd library is needed. Standard library only.
"""

import gzip
import os
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    """A gzip member with zlib's level 9 and no timestamp (stable bytes)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def gz_stored(data):
    """A gzip member by hand: header, one final stored deflate block, CRC-32 and size."""
    assert len(data) < 0x10000
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"
    block = b"\x01" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return header + block + trailer


def zstd_frame(blocks, content_size=None):
    """A zstd frame (RFC 8878) by hand: single segment, the content size in the header when
    given, then blocks, each ("raw", bytes) or ("rle", byte, count)."""
    if content_size is None:
        fhd = 0x00  # no single segment, no content size: a window descriptor follows
        header = bytes([fhd, 0x58])  # window log 21 (2 MiB)
    elif content_size < 256:
        header = bytes([0x20, content_size])  # single segment, 1-byte content size
    else:
        header = bytes([0xA0]) + struct.pack("<I", content_size)  # single segment, 4-byte size
    out = b"\x28\xb5\x2f\xfd" + header
    for i, b in enumerate(blocks):
        last = 1 if i == len(blocks) - 1 else 0
        if b[0] == "raw":
            out += struct.pack("<I", (len(b[1]) << 3) | last)[:3] + b[1]
        else:
            _, byte, count = b
            out += struct.pack("<I", (count << 3) | (1 << 1) | last)[:3] + bytes([byte])
    return out


def jsonl_reader():
    t = "jsonl_reader"
    rec = lambda i, text, **kw: (  # noqa: E731
        "{" + ",".join([f'"id":"{i}"', f'"text":"{text}"'] + [f'"{k}":"{v}"' for k, v in kw.items()]) + "}"
    )
    three = "\n".join([
        rec("a", "Some words here to shingle."),
        rec("b", "Some words here to shingle, again.", title="Again", outlet="Wire"),
        rec("c", "Entirely different text about the markets today.", url="https://www.example.com/x"),
    ]) + "\n"
    write(t, "three_records.jsonl", three)
    write(t, "no_final_newline.jsonl", three.rstrip("\n"))
    write(t, "broken_json.jsonl", rec("a", "fine line") + '\n{"id":"b","text":"unterminated\n{not json at all}\n[1,2,3]\n"just a string"\n')
    write(t, "invalid_utf8_in_string.jsonl", b'{"id":"a","text":"caf\xe9 cr\xe8me"}\n{"id":"b","text":"ok \xc3\x28 bad"}\n')
    write(t, "nul_byte.jsonl", b'{"id":"a","text":"before\x00after"}\n{"id":"b","text":"escaped \\u0000 nul"}\n\x00\n')
    write(t, "crlf.jsonl", three.replace("\n", "\r\n") + "\r\n\r\n")
    write(t, "bom.jsonl", b"\xef\xbb\xbf" + three.encode())
    write(t, "bom_only.jsonl", b"\xef\xbb\xbf\r\n")
    write(t, "blank_lines.jsonl", "\n \n\t\n" + rec("a", "one two three") + "\n\x0b\x0c\n   \r\n")
    write(t, "skip_reasons.jsonl", "\n".join([
        '{"id":"a"}',  # missing_text
        '{"id":"b","text":5}',  # text_not_string
        '{"id":"c","text":"   "}',  # empty_text
        '{"id":7,"maintext":"numeric id, news-please field"}',
        '{"_id":true,"content":"boolean id"}',
        '{"id":null,"text":null,"body":"nulls fall through to the next field"}',
        '{"id":"","text":"empty id falls back to FILE:LINE"}',
        '{"source":{"id":null,"name":"AP"},"text":"outlet object","date":"2024-06-21T08:30:00Z"}',
        '{"text":"dup key first","text":"dup key last"}',
    ]) + "\n")
    write(t, "unicode.jsonl", "\n".join([
        rec("q", "\u201cCurly quotes\u201d and don\u2019t \u2014 dashes"),
        rec("m", "combining: Bu\u0300i Thanh So\u031bn, a\u0301b"),
        rec("d", "\u0915\u093f\u0924\u093e\u092c \u0915\u0924\u092c \u0928\u0908 \u0926\u093f\u0932\u094d\u0932\u0940"),
        rec("r", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0645\u064e\u0643\u0652\u062a\u064f\u0648\u0628"),
        rec("e", "emoji \U0001F600 \U0001F1EB\U0001F1F7 family \U0001F468\u200D\U0001F469\u200D\U0001F467"),
        r'{"id":"esc","text":"escapes \u00e9 \ud83d\ude00 \n\t\" \\ \/"}',
        r'{"id":"lone","text":"lone surrogate \ud800 here"}',
    ]) + "\n")
    long_line = rec("long", "word " * 1000) + "\n"
    write(t, "long_line.jsonl", rec("short", "a short one") + "\n" + long_line + rec("after", "after the long one") + "\n")
    write(t, "long_blank_line.jsonl", " " * 100 + "\n" + rec("a", "x y") + "\n")
    write(t, "deep_nesting.jsonl", '{"text":"t","x":' + "[" * 200 + "]" * 200 + "}\n" + "[" * 300 + "\n")
    write(t, "gzip_member.jsonl.gz", gz(three.encode()))
    write(t, "gzip_two_members.jsonl.gz", gz(rec("a", "first member").encode() + b"\n") + gz_stored(rec("b", "second member").encode() + b"\n"))
    write(t, "gzip_stored.jsonl.gz", gz_stored(three.encode()))
    full = gz(three.encode())
    write(t, "gzip_truncated.jsonl.gz", full[: len(full) * 2 // 3])
    bad_crc = bytearray(gz_stored(three.encode()))
    bad_crc[-8] ^= 0xFF
    write(t, "gzip_bad_crc.jsonl.gz", bytes(bad_crc))
    write(t, "gzip_trailing_garbage.jsonl.gz", gz(three.encode()) + b"not gzip\n")
    write(t, "gzip_magic_only.gz", b"\x1f\x8b")
    line = rec("z", "a zstd framed record").encode() + b"\n"
    write(t, "zstd_raw.jsonl.zst", zstd_frame([("raw", line)], content_size=len(line)))
    write(t, "zstd_two_blocks.jsonl.zst", zstd_frame([("raw", line), ("raw", line.replace(b'"z"', b'"y"'))]))
    # One line of 5000 'a's in an RLE block: over the 4096 limit after decompression.
    write(t, "zstd_rle_long_line.jsonl.zst", zstd_frame([("raw", b'{"text":"'), ("rle", ord("a"), 5000), ("raw", b'"}\n')]))
    write(t, "zstd_truncated.jsonl.zst", zstd_frame([("raw", line)], content_size=len(line))[:-5])
    write(t, "zstd_magic_only.zst", b"\x28\xb5\x2f\xfd")


def tokenize_shingle():
    t = "tokenize_shingle"
    write(t, "english.txt", "Some words here to shingle. The U.S. said 5.93 mln bags, it's \"fine\" -- e-mail.\n\nSecond paragraph: a:b a.b 1,000 1;2 _ __ _a a_ 1_2.\r\nCRLF line\ttab end.")
    write(t, "curly_quotes.txt", "\u201cVietnam\u2014always\u201d ready. Don\u2019t \u2018quote\u2019 me \u2013 \u201eGerman\u201c \u00abFrench\u00bb.")
    write(t, "combining_marks.txt", "Bu\u0300i Thanh So\u031bn said:\n\na\u0301b x \u0301z caf\u00e9 cafe\u0301 \u1e9b\u0323 \u0301")
    write(t, "devanagari.txt", "\u0915\u093f\u0924\u093e\u092c \u0915\u0924\u092c\n\u0928\u0908 \u0926\u093f\u0932\u094d\u0932\u0940 \u092e\u0947\u0902 \u0967\u0968\u0969 \u0938\u092e\u093e\u091a\u093e\u0930\u0964")
    write(t, "arabic.txt", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0645\u064e\u0643\u0652\u062a\u064f\u0648\u0628\u060c \u0661\u0662\u0663 \u0627\u0644\u0623\u062e\u0628\u0627\u0631.\n\u200f\u0648\u0642\u0627\u0644")
    write(t, "emoji.txt", "emoji \U0001F600 \U0001F1EB\U0001F1F7 \U0001F468\u200D\U0001F469\u200D\U0001F467 ok\u200D \U0001F44D\U0001F3FD words")
    write(t, "compat_forms.txt", "\ufb01nance STRASSE Stra\u00dfe \u3371 \u2460 \uff21\uff22\uff23 \u2167 \u00bd \u00a0nbsp\u2028sep\u2029para\u0085nel")
    write(t, "cjk_mixed.txt", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 and English \ud55c\uad6d\uc5b4 \u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22 mixed.")
    write(t, "very_long_word.txt", "short " + "x" * 3000 + " tail\n" + "\u00e9" * 500)
    write(t, "punctuation_only.txt", " -- !!! ... \u2014 \u201c\u201d \n\n ??? ")
    write(t, "newlines.txt", "\n\n\r\n one\n\ntwo three\rfour\u2028five\n\n\nsix seven eight nine ten eleven")
    write(t, "invalid_utf8.bin", b"valid start \xff\xfe then \xc3\x28 more \xed\xa0\x80 words")
    write(t, "nul_and_controls.bin", b"a\x00b c\x01d\x7f e\x1bf \x0bvertical\x0cform")
    write(t, "repeated.txt", "a b " * 200)


def txt_decoder():
    t = "txt_decoder"
    write(t, "utf8.txt", "Headline\n\nCaf\u00e9 cr\u00e8me, \u201cquoted\u201d \u2014 plain UTF-8.\n")
    write(t, "utf8_bom.txt", b"\xef\xbb\xbf" + "BOM then caf\u00e9.\n".encode())
    write(t, "utf8_bom_invalid.txt", b"\xef\xbb\xbfBOM then bad \xff\xc3\x28 bytes")
    write(t, "latin1.txt", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, la cr\u00e8me de la cr\u00e8me. \u00c0 bient\u00f4t, na\u00efve fa\u00e7ade.\n".encode("latin-1"))
    write(t, "windows1252.txt", "\u201cSmart quotes\u201d \u2014 and \u20ac5 \u2019tis.".encode("cp1252"))
    write(t, "utf16le_bom.txt", b"\xff\xfe" + "UTF-16 little endian, caf\u00e9 \U0001F600\n".encode("utf-16-le"))
    write(t, "utf16be_bom.txt", b"\xfe\xff" + "UTF-16 big endian, \u0915\u093f\u0924\u093e\u092c\n".encode("utf-16-be"))
    write(t, "utf16le_odd.txt", b"\xff\xfe" + "odd length".encode("utf-16-le") + b"\x41")
    write(t, "utf16le_lone_surrogate.txt", b"\xff\xfea\x00\x00\xd8b\x00")
    write(t, "shift_jis.txt", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002\u30cb\u30e5\u30fc\u30b9\u8a18\u4e8b\u3002".encode("shift_jis"))
    write(t, "koi8r.txt", "\u041d\u043e\u0432\u043e\u0441\u0442\u0438 \u0434\u043d\u044f: \u0440\u044b\u043d\u043a\u0438 \u0438 \u043f\u043e\u043b\u0438\u0442\u0438\u043a\u0430.".encode("koi8-r"))
    write(t, "empty.txt", b"")
    write(t, "nul_bytes.bin", b"\x00\x00\x00 text \x00")
    write(t, "random_high.bin", bytes(range(128, 256)))
    write(t, "truncated_utf8.txt", "ends in the middle of \u20ac".encode()[:-1])
    article = (
        "March\u00e9s: la Bourse de Paris termine en l\u00e9g\u00e8re hausse\n\n"
        "Le CAC 40 a gagn\u00e9 0,4% \u00e0 7.512 points vendredi, port\u00e9 par les valeurs "
        "bancaires et l'\u00e9nergie, dans un march\u00e9 pr\u00e9occup\u00e9 par la "
        "politique mon\u00e9taire. \u00ab Les investisseurs restent prudents \u00bb, "
        "estime un g\u00e9rant. L'euro c\u00e8de du terrain face au dollar.\n"
    )
    write(t, "latin1_article.txt", (article * 4).encode("latin-1"))
    write(t, "cp1251_article.txt", ("\u0420\u044b\u043d\u043a\u0438 \u0430\u043a\u0446\u0438\u0439 "
        "\u0432\u044b\u0440\u043e\u0441\u043b\u0438 \u0432 \u043f\u044f\u0442\u043d\u0438\u0446\u0443, "
        "\u0441\u043e\u043e\u0431\u0449\u0438\u043b\u0438 \u0430\u043d\u0430\u043b\u0438\u0442\u0438\u043a\u0438.\n" * 8).encode("cp1251"))


def main():
    jsonl_reader()
    tokenize_shingle()
    txt_decoder()
    total = sum(
        os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(ROOT) for f in fs
    )
    print(f"corpus written to {ROOT}: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
