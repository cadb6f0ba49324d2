"""Load ``config.toml`` once into frozen dataclasses (see :mod:`kiosk.config_schema`).

Every problem becomes one :class:`~kiosk.errors.ConfigError` whose message names the file, the line
where it can be found, the key and what was expected, e.g.::

    config.toml:14: [sip2] port: expected a whole number from 1 to 65535, got "abc"

Never a traceback: the CLI prints the message and exits with status 2.

Secrets (``secret`` fields) can be given inline, as ``<key>_file = "path"`` (the file's content, stripped)
or as ``<key>_env = "VARIABLE"``; exactly one of the three. :func:`config_as_dict` masks them.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import math
import os
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.config_report import config_warnings, hours_as_dict
from kiosk.config_schema import SECTIONS, KioskConfig
from kiosk.core.service_hours import parse_service_hours
from kiosk.errors import ConfigError

HOURS_TABLES = ("schedule", "modes")  # parsed by kiosk.core.service_hours

__all__ = ["KioskConfig", "config_as_dict", "load_config", "parse_config"]

MASK = "********"
QUEUE_KEY_CREDENTIAL = "queue-key"  # the systemd credential holding the offline queue's key


def load_config(path: Path | str) -> KioskConfig:
    """Read and validate the configuration file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML configuration file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}): save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_config(text, source=str(path), base_dir=path.parent)


def parse_config(text: str, source: str = "<config>", base_dir: Path | None = None) -> KioskConfig:
    """Validate TOML text; relative paths are resolved against ``base_dir``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML syntax error: {exc}") from None
    return _Builder(text, source, base_dir or Path.cwd()).build(data)


def config_as_dict(config: KioskConfig) -> dict[str, Any]:
    """The effective configuration as plain data, with every secret masked (``kiosk config check``)."""
    out: dict[str, Any] = {"source": config.source}
    for name in SECTIONS:
        section = getattr(config, name)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(section):
            value = getattr(section, f.name)
            if f.metadata.get("secret"):
                value = MASK if value else ""
            values[f.name] = value
        out[name] = values
    out.update(hours_as_dict(config.hours, config.hours_configured))
    out["warnings"] = config_warnings(config)
    return out


class _Builder:
    """Turns parsed TOML into :class:`KioskConfig`, collecting the line of each key for messages."""

    def __init__(self, text: str, source: str, base_dir: Path) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.base_dir = base_dir

    # -- messages ---------------------------------------------------------------------------------

    def _line_of(self, section: str, key: str | None = None) -> int | None:
        """Find the line of ``[section]`` or of ``key`` inside it (TOML reports no positions)."""
        in_section = False
        header = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]")
        key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=") if key else None
        for number, line in enumerate(self.lines, start=1):
            if re.match(r"^\s*\[", line):
                in_section = bool(header.match(line))
                if in_section and key_re is None:
                    return number
                continue
            if in_section and key_re is not None and key_re.match(line):
                return number
        return None

    def error(self, section: str, key: str | None, message: str) -> ConfigError:
        line = self._line_of(section, key)
        where = f"{self.source}:{line}" if line else self.source
        what = f"[{section}] {key}" if key else f"[{section}]"
        return ConfigError(f"{where}: {what}: {message}")

    # -- building ---------------------------------------------------------------------------------

    def build(self, data: dict[str, Any]) -> KioskConfig:
        sections: dict[str, Any] = {}
        # [schedule] and [modes.*] have their own parser (nested tables, arrays of exceptions).
        hours = parse_service_hours({k: data[k] for k in HOURS_TABLES if k in data}, self.source)
        data_all, data = data, {k: v for k, v in data.items() if k not in HOURS_TABLES}
        for name, value in data.items():
            if name not in SECTIONS:
                hint = _did_you_mean(name, SECTIONS)
                known = ", ".join((*SECTIONS, *HOURS_TABLES))
                raise ConfigError(f"{self.source}: unknown section [{name}]{hint}; known sections: {known}")
            if not isinstance(value, dict):
                raise self.error(name, None, "expected a table ([" + name + "] with keys), got a value")
            sections[name] = self._section(name, value)
        for name in SECTIONS.keys() - sections.keys():
            sections[name] = self._section(name, {})  # defaults, with paths resolved like the rest
        config = KioskConfig(
            **sections, hours=hours, hours_configured="schedule" in data_all, source=self.source
        )
        config = self._queue_key(config, explicit="key_file" in data.get("store", {}))
        self._cross_checks(config)
        return config

    def _queue_key(self, config: KioskConfig, explicit: bool) -> KioskConfig:
        """Where the queue key is read from: a systemd credential ``queue-key`` when the unit loads one
        (``LoadCredential=queue-key:/etc/library-kiosk/queue.key``) and the file names no key_file; else
        ``[store] key_file``. Under systemd a key inside the state directory is refused: a copy of the
        state directory (a backup, a disk sent for repair) must not carry the key that decrypts it.
        """
        creds = os.environ.get("CREDENTIALS_DIRECTORY", "")
        credential = Path(creds) / QUEUE_KEY_CREDENTIAL if creds else None
        if credential is not None and not explicit and credential.is_file():
            store = dataclasses.replace(config.store, key_file=str(credential))
            return dataclasses.replace(config, store=store)
        state = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
        key = Path(config.store.key_file).resolve()
        if state and key.is_relative_to(Path(state).resolve()):
            raise self.error(
                "store",
                "key_file",
                f"{key} is inside the state directory {state}: keep the key out of it (a systemd "
                "credential 'queue-key' via LoadCredential=, or a root-only file such as "
                "/etc/library-kiosk/queue.key); see docs/operations.md",
            )
        return config

    def _cross_checks(self, config: KioskConfig) -> None:
        """Rules that involve more than one key."""
        if config.site.default_language not in config.site.languages:
            raise self.error(
                "site",
                "default_language",
                f"must be one of languages {config.site.languages}, got {config.site.default_language!r}",
            )
        if config.session.idle_warning >= config.session.idle_timeout:
            raise self.error(
                "session",
                "idle_warning",
                f"must be shorter than idle_timeout ({config.session.idle_timeout} s)",
            )
        if "table" in config.passes.uid_rule.split(",") and not config.passes.uid_table_file:
            raise self.error("passes", "uid_table_file", 'required when uid_rule = "table"')
        self._check_pin_hash(config.maintenance.pin_hash)
        password = config.payment.terminal_password
        if config.payment.enabled and not (len(password) == 6 and password.isdigit()):
            raise self.error("payment", "terminal_password", "expected exactly 6 digits (the ZVT password)")

    def _check_pin_hash(self, text: str) -> None:
        """A configured technician PIN hash must parse and be at least as strong as the floor."""
        if not text:
            return
        from kiosk.maintenance.pin import PinHash

        try:
            PinHash.parse(text).check_strength()
        except ConfigError as exc:
            message = str(exc).removeprefix("[maintenance] pin_hash: ")
            raise self.error("maintenance", "pin_hash", message) from None

    def _section(self, name: str, raw: dict[str, Any]) -> Any:
        cls = SECTIONS[name]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        secret_keys = {
            f"{k}_{suffix}": k
            for k, f in fields.items()
            if f.metadata.get("secret")
            for suffix in ("file", "env")
        }
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in secret_keys:
                continue
            if key not in fields:
                hint = _did_you_mean(key, list(fields) + list(secret_keys))
                raise self.error(name, key, f"unknown key{hint}; known keys: {', '.join(fields)}")
            if fields[key].metadata.get("secret") and not isinstance(value, str):
                # Never echo a secret back, not even a mistyped one (stderr ends up in the journal).
                raise self.error(name, key, "expected a string in quotes, got a value without quotes")
            values[key] = self._value(name, key, value, fields[key])
        for key, f in fields.items():
            if f.metadata.get("path") and key not in values and f.default:
                # Defaults are relative to the config file too, like values given in it.
                values[key] = str((self._base(name, key) / str(f.default)).resolve())
            if f.metadata.get("secret"):
                secret = self._secret(name, key, raw)
                if secret is not None:
                    values[key] = secret
        return cls(**values)

    def _value(self, section: str, key: str, value: Any, f: dataclasses.Field[Any]) -> Any:
        meta = f.metadata
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.error(section, key, f"expected true or false, got {value!r}")
            return value
        if kind in ("int", "float"):
            return self._number(section, key, value, meta, whole=(kind == "int"))
        if kind.startswith("list"):
            if not isinstance(value, list):
                raise self.error(section, key, f"expected a list like [...], got {value!r}")
            item_kind = "int" if "int" in kind else "str"
            items = []
            for item in value:
                ok = (
                    isinstance(item, int) and not isinstance(item, bool)
                    if item_kind == "int"
                    else isinstance(item, str)
                )
                if not ok:
                    what = "whole numbers" if item_kind == "int" else "strings"
                    raise self.error(section, key, f"expected a list of {what}, got item {item!r}")
                items.append(
                    self._checked_text(section, key, item, meta)
                    if item_kind == "str"
                    else self._choice(section, key, item, meta)
                )
            return items
        if not isinstance(value, str):
            raise self.error(section, key, f"expected a string in quotes, got {value!r}")
        value = self._checked_text(section, key, value, meta)
        if meta.get("path") and value:
            value = str((self._base(section, key) / value).resolve()) if not os.path.isabs(value) else value
        return value

    @staticmethod
    def _credential(value: str) -> Path | None:
        """Under systemd, a relative secret file ``credentials/sip2-password`` is read from
        ``$CREDENTIALS_DIRECTORY/sip2-password`` (``LoadCredential=``) when systemd passed it there (an
        empty one is the package's placeholder: absent); otherwise (``config check`` as root)
        from the config file's directory."""
        directory = os.environ.get("CREDENTIALS_DIRECTORY", "")
        candidate = Path(directory) / Path(value).name if directory else None
        try:
            return candidate if candidate is not None and candidate.stat().st_size > 0 else None
        except OSError:
            return None

    def _base(self, section: str, key: str) -> Path:
        """Relative paths are relative to the config file, except the queue database's under systemd:
        relative to ``$STATE_DIRECTORY`` (``StateDirectory=`` in the unit; the first one when it lists
        several). Never the key's: it must not live beside the data it protects."""
        state = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
        return Path(state) if (section, key) == ("store", "path") and state else self.base_dir

    def _checked_text(self, section: str, key: str, value: str, meta: Any) -> str:
        self._choice(section, key, value, meta)
        if meta.get("chain") is not None:
            parts = [part.strip() for part in value.split(",")]
            wrong = [part for part in parts if part not in meta["chain"]]
            if wrong or not value:
                raise self.error(
                    section,
                    key,
                    f"expected one of {', '.join(map(repr, meta['chain']))} or a comma-separated chain "
                    f"of them, got {value!r}",
                )
            value = ",".join(parts)
        if meta.get("schemes") is not None and value:
            self._url(section, key, value, meta)
        if meta.get("address"):
            self._address(section, key, value)
        if meta.get("decimal"):
            try:
                amount = Decimal(value)
            except InvalidOperation:
                amount = Decimal(-1)
            if not amount.is_finite() or amount < 0:  # NaN first: comparing it raises
                raise self.error(section, key, f'expected an amount like "25.00", got {value!r}')
        return value

    def _url(self, section: str, key: str, value: str, meta: Any) -> None:
        """A URL: an allowed scheme and, for device URLs, the target the driver will need."""
        try:
            parts = urlsplit(value)
            scheme = parts.scheme if "://" in value else ""
        except ValueError as exc:  # e.g. "tcp://[::1": an unclosed IPv6 bracket
            raise self.error(section, key, f"not a valid URL ({exc}), got {value!r}") from None
        if scheme not in meta["schemes"]:
            allowed = ", ".join(f"{s}://" for s in meta["schemes"] if s)
            raise self.error(section, key, f"expected a URL starting with one of {allowed}, got {value!r}")
        if scheme in ("tcp", "tls", "http", "https"):
            try:
                port = parts.port
            except ValueError:
                port = None
            if scheme in ("http", "https") and not parts.hostname:
                raise self.error(section, key, f"expected {scheme}://HOST/..., got {value!r}")
            if scheme in ("tcp", "tls") and (not parts.hostname or port is None):
                raise self.error(section, key, f"expected {scheme}://HOST:PORT, got {value!r}")
        if meta.get("device"):
            from kiosk.config_devices import device_url_problem

            problem = device_url_problem(value)
            if problem:
                raise self.error(section, key, f"{problem}, got {value!r}")

    def _address(self, section: str, key: str, value: str) -> None:
        """A listening address: an IP address or a host name (``999.1.1.1`` is neither)."""
        try:
            ipaddress.ip_address(value)
            return
        except ValueError:
            pass
        label = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
        dotted_digits = re.fullmatch(r"[0-9.]+", value) is not None
        if dotted_digits or not re.fullmatch(rf"{label}(\.{label})*", value):
            raise self.error(
                section, key, f'expected an IP address or a host name (e.g. "127.0.0.1"), got {value!r}'
            )

    def _choice(self, section: str, key: str, value: Any, meta: Any) -> Any:
        choices = meta.get("choices")
        if choices is not None and value not in choices:
            raise self.error(section, key, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value

    def _number(self, section: str, key: str, value: Any, meta: Any, whole: bool) -> Any:
        is_int = isinstance(value, int) and not isinstance(value, bool)
        lo, hi = meta.get("min"), meta.get("max")
        rng = f" from {lo} to {hi}" if lo is not None and hi is not None else ""
        expected = f"a whole number{rng}" if whole else f"a number{rng}"
        if (whole and not is_int) or (not whole and not (is_int or isinstance(value, float))):
            raise self.error(section, key, f"expected {expected}, got {value!r}")
        if not is_int and not math.isfinite(value):  # nan passes every comparison below
            raise self.error(section, key, f"expected {expected} (a finite number), got {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.error(section, key, f"expected {expected}, got {value!r}")
        return self._choice(section, key, value if whole else float(value), meta)

    def _secret(self, section: str, key: str, raw: dict[str, Any]) -> str | None:
        given = [k for k in (key, f"{key}_file", f"{key}_env") if k in raw]
        if not given:
            return None
        if len(given) > 1:
            raise self.error(section, given[1], f"give only one of {', '.join(given)}")
        which = given[0]
        value = raw[which]
        if not isinstance(value, str):
            raise self.error(section, which, f"expected a string in quotes, got {type(value).__name__}")
        if which == key:
            return value
        if which.endswith("_file"):
            path = Path(value) if os.path.isabs(value) else self._credential(value) or self.base_dir / value
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise self.error(
                    section, which, f"cannot read secret file {str(path)!r}: {exc.strerror}"
                ) from None
        secret = os.environ.get(value)
        if secret is None:
            raise self.error(section, which, f"environment variable {value!r} is not set")
        return secret


def _did_you_mean(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
