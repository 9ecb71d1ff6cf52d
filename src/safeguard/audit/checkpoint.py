"""Signed checkpoints of the audit chain, for a witness outside the database.

Whoever controls the database can rewrite entries and recompute every seal after them, and
can cut entries from the end: the chain alone cannot show either. A checkpoint states the
chain's length and head hash at a moment, signed with Ed25519 by a key the database never
holds (a file named by SAFEGUARD_AUDIT_SIGNING_KEY_FILE, never in the repository). A witness
holding only the public key checks a later chain against it: the seal at the checkpoint's
length must still have the checkpoint's hash. A forger can make a chain that agrees with
itself but not one that agrees with an earlier checkpoint, and cannot sign a new one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from safeguard.audit.chain import Head, Verification

FORMAT = "safeguard-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    rows: int
    head_hash: str
    at: str  # ISO 8601, UTC
    key_id: str  # which key signed it: the first 16 hex digits of SHA-256 of the public key
    signature: str = ""  # base64 Ed25519 over body()

    def body(self) -> bytes:
        fields = {"format": FORMAT, "rows": self.rows, "head_hash": self.head_hash,
                  "at": self.at, "key_id": self.key_id}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(head: Head, *, private_key: Ed25519PrivateKey, now: datetime) -> Checkpoint:
    unsigned = Checkpoint(head.rows, head.hash, now.isoformat(),
                          key_id(private_key.public_key()))
    signature = base64.b64encode(private_key.sign(unsigned.body())).decode()
    return Checkpoint(unsigned.rows, unsigned.head_hash, unsigned.at, unsigned.key_id,
                      signature)


def write(checkpoint: Checkpoint, path: Path) -> None:
    path.write_text(json.dumps({"format": FORMAT, **asdict(checkpoint)}, indent=2) + "\n",
                    encoding="utf-8")


def read(path: Path) -> Checkpoint:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file")
    return Checkpoint(int(data["rows"]), str(data["head_hash"]), str(data["at"]),
                      str(data["key_id"]), str(data["signature"]))


def problems_against(checkpoint: Checkpoint, verification: Verification, *,
                     public_key: Ed25519PublicKey) -> list[str]:
    """What is wrong with the chain, or the checkpoint itself, judged by the checkpoint."""
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.body())
    except (InvalidSignature, ValueError):
        return [f"the checkpoint of {checkpoint.at} is not signed by the witness's key "
                f"({key_id(public_key)}): forged or altered"]
    if verification.head.rows < checkpoint.rows:
        return [f"the chain ends at seal {verification.head.rows} but the checkpoint of "
                f"{checkpoint.at} counted {checkpoint.rows}: entries were removed from the end"]
    if verification.hash_at != checkpoint.head_hash:
        return [f"seal {checkpoint.rows} differs from the checkpoint of {checkpoint.at}: the "
                "log up to it was rewritten and its seals recomputed"]
    return []


def generate_keys(private_path: Path, public_path: Path) -> str:
    """A new key pair: the private key readable by its owner only. Returns the key id."""
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public_path.write_bytes(private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(private_key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key
