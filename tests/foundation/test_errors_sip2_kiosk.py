"""The exception trees of sip2/ and kiosk/ (sip2/errors.py, kiosk/errors.py), like drivers/errors.py:
one root per package, every class drawn in its tree, the standard library's meanings kept."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import socket
from types import ModuleType

import pytest

import kiosk
import kiosk.errors
import sip2
import sip2.errors
from kiosk.errors import ConfigError, KioskConnectionError, KioskError, KioskProtocolError, KioskUsageError
from sip2.errors import (
    Sip2ConfigurationError,
    Sip2ConnectionError,
    Sip2Error,
    Sip2OutcomeUnknown,
    Sip2ProtocolError,
    Sip2TimeoutError,
    Sip2ValueError,
)

#: Modules that cannot be imported without a display/Kivy window; their exceptions are checked by grep.
_SKIP_PREFIXES = ("kiosk.ui", "kiosk.__main__", "sip2.__main__", "sip2.simulator.__main__")


def _exception_classes(package: ModuleType) -> list[type[BaseException]]:
    """Every public exception class defined in a module under *package* (module-private ``_Names``
    excepted: control-flow signals that never leave their module)."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if info.name.startswith(_SKIP_PREFIXES):
            continue
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


SIP2_CLASSES = _exception_classes(sip2)
KIOSK_CLASSES = _exception_classes(kiosk)

#: Known exceptions outside the trees, each with the reason and the fix; the list only ever shrinks.
OUTSIDE_THE_TREE: set[str] = set()


def test_the_walk_finds_the_classes() -> None:
    assert {"Sip2Error", "Sip2OutcomeUnknown", "Sip2ResendInDoubt"} <= {c.__name__ for c in SIP2_CLASSES}
    assert {"KioskError", "StateDirectoryError", "KioskRunningError", "JournalError"} <= {
        c.__name__ for c in KIOSK_CLASSES
    }


@pytest.mark.parametrize("cls", SIP2_CLASSES, ids=lambda cls: cls.__name__)
def test_every_sip2_exception_lives_under_sip2_error_and_in_the_picture(cls: type[BaseException]) -> None:
    if f"{cls.__module__}.{cls.__qualname__}" in OUTSIDE_THE_TREE:
        pytest.xfail("listed in OUTSIDE_THE_TREE")
    assert issubclass(cls, Sip2Error), f"{cls.__module__}.{cls.__name__} is not a Sip2Error"
    assert cls.__name__ in (sip2.errors.__doc__ or ""), f"draw {cls.__name__} in the tree in sip2/errors.py"
    assert cls.__module__ == "sip2.errors", f"define {cls.__name__} in sip2/errors.py"


@pytest.mark.parametrize("cls", KIOSK_CLASSES, ids=lambda cls: cls.__name__)
def test_every_kiosk_exception_lives_under_kiosk_error_and_in_the_picture(cls: type[BaseException]) -> None:
    if f"{cls.__module__}.{cls.__qualname__}" in OUTSIDE_THE_TREE:
        pytest.xfail("listed in OUTSIDE_THE_TREE")
    assert issubclass(cls, KioskError), f"{cls.__module__}.{cls.__name__} is not a KioskError"
    assert cls.__name__ in (kiosk.errors.__doc__ or ""), f"draw {cls.__name__} in the tree in kiosk/errors.py"


def test_no_exception_class_is_defined_in_the_kivy_modules_either() -> None:
    """kiosk/ui is not imported here (Kivy); a plain grep keeps exceptions out of it."""
    root = pathlib.Path(kiosk.__file__).parent / "ui"
    for path in root.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not (line.startswith("class ") and ("Error" in line or "Exception" in line)), (path, line)


@pytest.mark.parametrize("cls", SIP2_CLASSES + KIOSK_CLASSES, ids=lambda cls: cls.__name__)
def test_timeouts_and_connection_errors_keep_the_standard_meaning(cls: type[BaseException]) -> None:
    if "Timeout" in cls.__name__:
        assert issubclass(cls, TimeoutError)
    if issubclass(cls, (Sip2ConnectionError, KioskConnectionError)) or "Connection" in cls.__name__:
        assert issubclass(cls, ConnectionError)


def test_local_and_remote_errors_are_distinct() -> None:
    """h11's Local/Remote idea: our own misuse or configuration never reads as an ILS fault."""
    local = (Sip2ValueError, Sip2ConfigurationError)
    remote = (Sip2ProtocolError, Sip2TimeoutError, Sip2ConnectionError, Sip2OutcomeUnknown)
    for cls in SIP2_CLASSES:
        assert not (issubclass(cls, local) and issubclass(cls, remote)), cls.__name__
    kiosk_local = (ConfigError, KioskUsageError)
    kiosk_remote = (KioskProtocolError, KioskConnectionError)
    for cls in KIOSK_CLASSES:
        assert not (issubclass(cls, kiosk_local) and issubclass(cls, kiosk_remote)), cls.__name__
    assert issubclass(Sip2ValueError, ValueError)


def test_an_unknown_outcome_is_not_a_connection_error() -> None:
    """'The ILS may have applied it' must never be handled as 'the ILS could not be reached'."""
    assert not issubclass(Sip2OutcomeUnknown, (Sip2ConnectionError, ConnectionError, OSError))
    from sip2.connection import Sip2ResendInDoubt

    assert issubclass(Sip2ResendInDoubt, Sip2OutcomeUnknown)
    assert not issubclass(Sip2ResendInDoubt, ConnectionError)


def test_an_ils_that_is_not_there_raises_a_standard_connection_error() -> None:
    """A real refused connection: catchable both as ours and as the standard library's."""
    from sip2.client import ClientSettings, Sip2Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    client = Sip2Client(
        ClientSettings(
            host="127.0.0.1", port=port, user="u", password="p", keepalive_interval=0, connect_timeout=5.0
        )
    )
    try:
        with pytest.raises(ConnectionError) as caught:
            client.connect()
    finally:
        client.close()
    assert isinstance(caught.value, Sip2ConnectionError)


def test_the_old_import_places_still_work() -> None:
    from kiosk.cli.sip2_views import UsageError
    from kiosk.services.circulation_link import NoConnection
    from sip2.connection import Sip2ResendInDoubt
    from sip2.transport import Sip2ConnectionLost

    assert Sip2ResendInDoubt is sip2.errors.Sip2ResendInDoubt
    assert Sip2ConnectionLost is sip2.errors.Sip2ConnectionLost
    assert UsageError is KioskUsageError
    assert NoConnection is kiosk.errors.NoConnection


@pytest.mark.parametrize(
    ("package", "classes"), [(sip2, SIP2_CLASSES), (kiosk, KIOSK_CLASSES)], ids=["sip2", "kiosk"]
)
def test_every_error_is_raised_somewhere(package: ModuleType, classes: list[type[BaseException]]) -> None:
    """Errors that nothing raises are deleted; a class that only groups others (has subclasses) may stay."""
    root = pathlib.Path(str(package.__file__)).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    for cls in classes:
        if cls.__subclasses__():
            continue
        uses = source.count(f"{cls.__name__}(") - source.count(f"class {cls.__name__}(")
        uses += source.count(f"raise {cls.__name__}\n") + source.count(f"{cls.__name__}.about(")
        assert uses > 0, f"{cls.__name__} is never raised: delete it"
