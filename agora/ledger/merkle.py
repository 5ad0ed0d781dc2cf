"""RFC 9162 Merkle trees over stored subtree hashes.

The log stores the hash of every *perfect* subtree it has completed: node (level, position)
covers leaves [position·2^level, (position+1)·2^level). These never change once written, so
the hash of any range of an append-only tree is the fold of at most 2·log2(n) stored nodes.
Roots, inclusion proofs and consistency proofs are planned as lists of node keys, fetched in
one read, and folded: O(log n) work and no tree rebuilding, at any past tree size.

Our own code, not pymerkle: pymerkle keeps its own storage and rebuilds proofs from leaves,
whereas the log needs the nodes in its database, next to the entries, in one transaction.
The verification functions follow RFC 9162 §2.1.3.2 and §2.1.4.2 literally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

NodeKey = tuple[int, int]  # (level, position)
Fetch = Callable[[Iterable[NodeKey]], Mapping[NodeKey, bytes]]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# Planning: which stored nodes make up a range ---------------------------------------------


def range_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees covering [start, end), left to right.

    For the ranges that RFC 9162's recursions produce (each starting on a multiple of a
    power of two at least as large as itself), folding these from the right gives the
    range's Merkle tree hash.
    """
    keys = []
    position = start
    while position < end:
        level = (end - position).bit_length() - 1  # the largest power of two that fits
        if position:
            level = min(level, (position & -position).bit_length() - 1)  # and is aligned
        keys.append((level, position >> level))
        position += 1 << level
    return keys


def inclusion_plan(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the inclusion proof of leaf `index` (PATH, §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    plan: list[tuple[int, int]] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            plan.append((start + k, start + n))
            n = k
        else:
            plan.append((start, start + k))
            start, n, m = start + k, n - k, m - k
    return list(reversed(plan))


def consistency_plan(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the consistency proof between two sizes (§2.1.4.1)."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    plan: list[tuple[int, int]] = []
    start, n, m, complete = 0, second, first, True
    while m != n:
        k = _split(n)
        if m <= k:
            plan.append((start + k, start + n))
            n = k
        else:
            plan.append((start, start + k))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        plan.append((start, start + n))
    return list(reversed(plan))


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees, left to right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def resolve(ranges: Sequence[tuple[int, int]], fetch: Fetch) -> list[bytes]:
    """The hashes of `ranges`, from one fetch of all the nodes they need."""
    keyed = [range_keys(start, end) for start, end in ranges]
    nodes = fetch({key for keys in keyed for key in keys})
    return [fold([nodes[key] for key in keys]) for keys in keyed]


def root(size: int, fetch: Fetch) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return resolve([(0, size)], fetch)[0]


# Appending ------------------------------------------------------------------------------


def nodes_completed_by(index: int, leaf: bytes, fetch: Fetch) -> dict[NodeKey, bytes]:
    """The nodes that appending leaf hash `leaf` at `index` completes: the leaf itself, and
    one parent per trailing 1 bit of the index (whose left siblings are fetched)."""
    completed = {(0, index): leaf}
    carries = (~index & (index + 1)).bit_length() - 1  # trailing 1 bits
    siblings = fetch([(level, (index >> level) - 1) for level in range(carries)])
    current = leaf
    for level in range(carries):
        current = node_hash(siblings[(level, (index >> level) - 1)], current)
        completed[(level + 1, index >> (level + 1))] = current
    return completed


class MemoryTree:
    """An append-only tree in memory with the same node layout (tests and the verifier)."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}
        self.size = 0

    def fetch(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        return {key: self.nodes[key] for key in keys}

    def append(self, leaf: bytes) -> None:
        self.nodes.update(nodes_completed_by(self.size, leaf, self.fetch))
        self.size += 1

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.fetch)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return resolve(inclusion_plan(index, size), self.fetch)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        if first == second:
            return []
        return resolve(consistency_plan(first, second), self.fetch)


# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) --------------------------------------------


class ProofError(ValueError):
    pass


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Raises ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree."""
    if index >= size or index < 0:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    if len(leaf) != 32 or any(len(p) != 32 for p in proof):
        raise ProofError("hashes must be 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if r != expected_root:
        raise ProofError("the proof leads to another root hash")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raises ProofError unless `proof` shows the tree of size `second` extends that of `first`."""
    if first <= 0:
        raise ProofError("a consistency proof needs a non-empty first tree")
    if second < first:
        raise ProofError(f"the tree shrank from {first} to {second} entries")
    if first == second:
        if proof:
            raise ProofError("trees of the same size need an empty proof")
        if first_root != second_root:
            raise ProofError("two different root hashes for the same tree size")
        return
    if any(len(p) != 32 for p in (*proof, first_root, second_root)):
        raise ProofError("hashes must be 32 bytes")
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a subtree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the trees are deep")
    if fr != first_root:
        raise ProofError("the proof does not lead to the first root hash")
    if sr != second_root:
        raise ProofError("the proof does not lead to the second root hash")


class CompactRange:
    """The right edge of a growing tree: root at any size from O(log n) hashes (verifier)."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []  # perfect subtrees, largest first

    def append(self, leaf: bytes) -> None:
        self.stack.append(leaf)
        index = self.size
        while index & 1:
            right = self.stack.pop()
            self.stack[-1] = node_hash(self.stack[-1], right)
            index >>= 1
        self.size += 1

    def root(self) -> bytes:
        return fold(self.stack) if self.stack else EMPTY_ROOT
