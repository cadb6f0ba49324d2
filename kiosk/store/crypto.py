"""Encryption at rest for pass numbers in the offline queue: AES-256-GCM with a key in its own file.

The key lives in a separate file (mode 0600, created on first run) so that a copied database alone
reveals no pass numbers. Each ciphertext is bound to its row's transaction id (GCM associated data),
so ciphertexts cannot be moved between rows unnoticed.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import ConfigError, KioskProtocolError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12


def load_or_create_key(path: Path, *, create: bool = True) -> bytes:
    """Read the queue key from ``path``; create it (0600, random) when missing and ``create`` is true.

    A key file readable by group or others is tightened to 0600 with a warning. A file of the wrong
    size is an error (it is not ours, or it was damaged): the queue cannot be read without the right key.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise ConfigError(f"{path}: queue key file is missing (store.key_file)")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = os.urandom(KEY_BYTES)  # what AESGCM.generate_key does
        # O_EXCL: two processes starting at once must not both write a key; the loser reads the winner's.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_key(path, create=False)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        log.info("created a new queue key file %s", path)
        return key
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("queue key file %s had mode %o; tightened to 600", path, mode)
        os.chmod(path, 0o600)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{path}: queue key file must hold {KEY_BYTES} bytes, found {len(key)}")
    return key


class PassCipher:
    """Encrypts and decrypts pass numbers for one queue, bound to each row's transaction id.

    ``cryptography`` is loaded on first use (about 6 MB resident): a kiosk whose queue stays empty
    never needs it.
    """

    def __init__(self, key: bytes) -> None:
        """``key``: 32 bytes from :func:`load_or_create_key`."""
        if len(key) != KEY_BYTES:
            raise ConfigError(f"queue key must be {KEY_BYTES} bytes, not {len(key)}")
        self._key = key
        self._cipher: AESGCM | None = None

    @property
    def _aead(self) -> AESGCM:
        if self._cipher is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._cipher = AESGCM(self._key)
        return self._cipher

    def encrypt(self, pass_number: str, txn_id: str) -> bytes:
        """Nonce + ciphertext + tag for ``pass_number``, bound to ``txn_id``."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, pass_number.encode("utf-8"), txn_id.encode("ascii"))

    def decrypt(self, blob: bytes, txn_id: str) -> str:
        """The pass number, or :class:`KioskProtocolError` when the key or the row does not match."""
        from cryptography.exceptions import InvalidTag

        try:
            plain = self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], txn_id.encode("ascii"))
        except (InvalidTag, ValueError) as exc:
            raise KioskProtocolError(
                f"queued transaction {txn_id}: pass number cannot be decrypted (wrong key file?)"
            ) from exc
        return plain.decode("utf-8")
