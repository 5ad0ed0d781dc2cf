"""The Merkle tree against published RFC 6962/9162 answers, and as properties."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

STANDARDS = Path(__file__).resolve().parents[3] / "tests" / "standards" / "merkle"

# The reference tree of the Certificate Transparency implementations (C++ merkle_tree_test.cc
# kInputs, transparency-dev testonly.LeafInputs) and its published roots (kSHA256Roots).
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# Published proofs (CT C++ kSHA256Paths / kSHA256Proofs; 0-based leaf indexes here).
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def reference_tree(size: int = 8) -> MemoryTree:
    tree = MemoryTree()
    for data in LEAVES[:size]:
        tree.append(leaf_hash(data))
    return tree


def test_hasher_known_answers() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert (
        leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert (
        leaf_hash(b"L123456").hex()
        == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert (
        node_hash(b"N123", b"N456").hex()
        == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_roots_of_every_size() -> None:
    tree = reference_tree()
    assert tree.root(0) == EMPTY_ROOT
    for size, expected in enumerate(ROOTS, start=1):
        assert tree.root(size) == expected


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    tree = reference_tree()
    assert [p.hex() for p in tree.inclusion_proof(index, size)] == proof
    verify_inclusion(
        index, size, leaf_hash(LEAVES[index]), [bytes.fromhex(p) for p in proof], ROOTS[size - 1]
    )


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs(first: int, second: int, proof: list[str]) -> None:
    tree = reference_tree()
    assert [p.hex() for p in tree.consistency_proof(first, second)] == proof
    verify_consistency(
        first, second, ROOTS[first - 1], ROOTS[second - 1], [bytes.fromhex(p) for p in proof]
    )


def test_tampered_proofs_fail() -> None:
    tree = reference_tree()
    proof = tree.inclusion_proof(5, 8)
    with pytest.raises(ProofError):
        verify_inclusion(4, 8, leaf_hash(LEAVES[5]), proof, ROOTS[7])
    with pytest.raises(ProofError):
        verify_inclusion(5, 8, leaf_hash(LEAVES[5]), [*proof, proof[0]], ROOTS[7])
    with pytest.raises(ProofError):
        verify_consistency(6, 8, ROOTS[5], ROOTS[6], tree.consistency_proof(6, 8))
    with pytest.raises(ProofError):
        verify_consistency(6, 5, ROOTS[5], ROOTS[4], [])


def _probes(kind: str) -> list[Path]:
    folder = STANDARDS / "transparency-dev-testdata" / kind
    return sorted(folder.rglob("*.json"))


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def test_transparency_dev_probes() -> None:
    """The 196 golden probes of transparency-dev/merkle (tests/standards/merkle)."""
    inclusion, consistency = _probes("inclusion"), _probes("consistency")
    assert (len(inclusion), len(consistency)) == (98, 98)
    for path in inclusion:
        probe = json.loads(path.read_text())
        proof = [_b64(p) for p in probe["proof"] or []]
        try:
            verify_inclusion(
                probe["leafIdx"],
                probe["treeSize"],
                _b64(probe["leafHash"]),
                proof,
                _b64(probe["root"]),
            )
            failed = False
        except ProofError:
            failed = True
        assert failed == probe["wantErr"], path
    for path in consistency:
        probe = json.loads(path.read_text())
        proof = [_b64(p) for p in probe["proof"] or []]
        try:
            verify_consistency(
                probe["size1"], probe["size2"], _b64(probe["root1"]), _b64(probe["root2"]), proof
            )
            failed = False
        except ProofError:
            failed = True
        assert failed == probe["wantErr"], path
    assert len(inclusion) + len(consistency) == 196


def naive_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1, as an independent reference."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.data())
def test_every_proof_verifies_at_every_size(size: int, data: st.DataObject) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    tree, compact = MemoryTree(), CompactRange()
    for leaf in leaves:
        tree.append(leaf_hash(leaf))
        compact.append(leaf_hash(leaf))
    assert tree.root() == naive_root(leaves) == compact.root()
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    older = data.draw(st.integers(min_value=1, max_value=size))
    verify_inclusion(
        index, size, leaf_hash(leaves[index]), tree.inclusion_proof(index, size), tree.root()
    )
    proof = tree.consistency_proof(older, size)
    verify_consistency(older, size, naive_root(leaves[:older]), tree.root(), proof)
    # Proofs stay logarithmic.
    assert len(proof) <= 2 * size.bit_length()
    if older < size:
        with pytest.raises(ProofError):
            verify_consistency(
                older, size, naive_root([*leaves[: older - 1], b"forged"]), tree.root(), proof
            )
