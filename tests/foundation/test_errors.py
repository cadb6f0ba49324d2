"""The drivers' exception tree (drivers/errors.py): one root, the standard library's meanings kept."""

from __future__ import annotations

import errno
import importlib
import inspect
import pathlib
import pkgutil
import socket

import pytest

import drivers
import drivers.errors as errors
from drivers.errors import (
    DeviceConfigurationError,
    DeviceConnectionError,
    DeviceProtocolError,
    DeviceTimeoutError,
    DeviceUsageError,
    DriverError,
)


def _driver_exception_classes() -> list[type[BaseException]]:
    """Every exception class defined in a module under drivers/ (module-private ``_Names`` excepted:
    they are control-flow signals that never leave their module)."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(drivers.__path__, "drivers."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(found.values())


CLASSES = _driver_exception_classes()


def test_the_walk_finds_the_classes_outside_errors_py() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"DriverError", "TerminalRefusedError", "NoAcknowledgeError"} <= names


#: Known exceptions outside the tree, each with the reason and the fix; the list only ever shrinks.
OUTSIDE_THE_TREE: set[str] = set()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_driver_exception_lives_under_driver_error_and_in_the_picture(cls: type[BaseException]) -> None:
    if f"{cls.__module__}.{cls.__qualname__}" in OUTSIDE_THE_TREE:
        pytest.xfail("listed in OUTSIDE_THE_TREE")
    assert issubclass(cls, DriverError), f"{cls.__module__}.{cls.__name__} is not a DriverError"
    assert cls.__name__ in (errors.__doc__ or ""), f"draw {cls.__name__} in the tree in drivers/errors.py"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_timeouts_and_connection_errors_keep_the_standard_meaning(cls: type[BaseException]) -> None:
    if issubclass(cls, DeviceTimeoutError) or "Timeout" in cls.__name__:
        assert issubclass(cls, TimeoutError) and issubclass(cls, DeviceTimeoutError)
    if issubclass(cls, DeviceConnectionError) or "Connection" in cls.__name__:
        assert issubclass(cls, ConnectionError) and issubclass(cls, DeviceConnectionError)


def test_local_and_remote_errors_are_distinct() -> None:
    """h11's Local/Remote idea: our own misuse or configuration never reads as a device fault."""
    local = (DeviceUsageError, DeviceConfigurationError)
    remote = (DeviceProtocolError, DeviceTimeoutError, DeviceConnectionError)
    for cls in CLASSES:
        assert not (issubclass(cls, local) and issubclass(cls, remote)), cls.__name__
    assert issubclass(DeviceUsageError, ValueError)  # callers that checked arguments with ValueError


def test_a_driver_timeout_is_caught_as_the_standard_one_and_keeps_its_message() -> None:
    with pytest.raises(TimeoutError) as caught:
        raise DeviceTimeoutError("no answer to 06 01 within T3")
    assert str(caught.value) == "no answer to 06 01 within T3"
    assert caught.value.errno is None
    with pytest.raises(ConnectionError, match=r"^cannot reach printer$"):
        raise DeviceConnectionError("cannot reach printer")


def test_a_zvt_tcp_terminal_that_is_not_there_raises_a_connection_error() -> None:
    """A real refused connection: catchable both as ours and as the standard library's."""
    from drivers.payment import open_terminal

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with pytest.raises(ConnectionError) as caught:
        open_terminal(f"zvt+tcp://127.0.0.1:{port}", password="123456")
    assert isinstance(caught.value, DeviceConnectionError)
    cause = caught.value.__context__
    assert isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED


def test_misuse_of_a_driver_is_a_usage_error() -> None:
    from drivers.scanner.burst import BurstDetector

    with pytest.raises(DeviceUsageError, match="one character"):
        BurstDetector().feed("ab", 0.0)
    with pytest.raises(DeviceUsageError):
        BurstDetector(max_gap=0)


def test_the_old_import_places_still_work() -> None:
    from drivers.cardreader.ndef import NdefError
    from drivers.cardreader.pcscd_runner import PcscdUnavailable
    from drivers.speech import SpeechUnavailableError

    assert NdefError is errors.NdefError and issubclass(NdefError, (DeviceProtocolError, ValueError))
    assert PcscdUnavailable is errors.PcscdUnavailable
    assert SpeechUnavailableError is errors.SpeechUnavailableError


def test_every_error_is_raised_somewhere() -> None:
    """Errors that nothing raises are deleted; a class that only groups others (has subclasses) may stay."""
    root = pathlib.Path(drivers.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    for cls in CLASSES:
        if cls.__subclasses__():
            continue
        uses = source.count(f"{cls.__name__}(") - source.count(f"class {cls.__name__}(")
        assert uses > 0, f"{cls.__name__} is never raised: delete it"
