"""The key search finds every form of the key, wherever it is in a file,
and nothing else; the key block is the shim's struct scotch_keyblock."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from scotch_plugin.trust import keys


@pytest.mark.parametrize("form", sorted(keys.patterns(bytes(range(32)))))
def test_every_form_is_found_where_it_is(tmp_path, form):
    key = bytes(range(32))  # 0x0a is a newline: grep cannot take it
    pattern = keys.patterns(key)[form]
    dump = tmp_path / "ram.bin"
    data = bytearray(secrets.token_bytes(1 << 20))
    for form_, p in keys.patterns(key).items():
        assert data.find(p) < 0, form_
    data[12345 : 12345 + len(pattern)] = pattern
    dump.write_bytes(bytes(data))
    hits = keys.find_key_in_file(dump, key)
    assert (form, 12345) in {(h.form, h.offset) for h in hits}


def test_a_whole_key_and_its_pads_are_found(tmp_path):
    key = secrets.token_bytes(32)
    dump = tmp_path / "ram.bin"
    ipad = bytes(b ^ 0x36 for b in key)
    dump.write_bytes(
        bytes(4096) + key + bytes(100) + ipad + key.hex().upper().encode()
    )
    forms = {
        h.form.split("[")[0] + h.form.split("]")[1]
        for h in keys.find_key_in_file(dump, key)
    }
    assert forms == {"key", "key^ipad", "key HEX"}


def test_a_clean_file_has_no_hits(tmp_path):
    dump = tmp_path / "ram.bin"
    dump.write_bytes(bytes(1 << 20))
    assert keys.find_key_in_file(dump, secrets.token_bytes(32)) == []
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert keys.find_key_in_file(empty, secrets.token_bytes(32)) == []


def test_tree_search_names_the_file(tmp_path):
    key = secrets.token_bytes(32)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "a.json").write_text('{"command": "x"}')
    (tmp_path / "runs" / "b.log").write_text(f"scotch.key={key.hex()}\n")
    found = keys.find_key_in_tree(tmp_path, key)
    assert list(found) == [tmp_path / "runs" / "b.log"]


def test_key_block_layout():
    key = secrets.token_bytes(32)
    block = keys.key_block(key)
    assert len(block) == 72
    assert block[:4] == b"SKEY" and block[4:8] == (1).to_bytes(4, "little")
    assert block[8:40] == key
    assert block[40:] == hashlib.sha256(key).digest()


def test_key_block_file_is_private(tmp_path):
    args, option = keys.qemu_key_block(tmp_path, bytes(32), 1056)
    path = tmp_path / "scotch-key.bin"
    assert path.stat().st_mode & 0o777 == 0o600
    assert option == f"scotch.keyblock={(1056 - 16) << 20:#x}"
    assert args == [
        "-device",
        f"loader,file={path},addr={(1056 - 16) << 20:#x},force-raw=on",
    ]
