"""The shape of ``config.toml``: one frozen dataclass per section, with defaults and constraints.

Each field's ``metadata`` may carry:

* ``choices`` — the allowed values;
* ``chain`` — a comma-separated list of these values, tried in order;
* ``min`` / ``max`` — an inclusive numeric range;
* ``schemes`` — allowed URL schemes (for a URL or a list of URLs);
* ``path`` — a filesystem path, resolved relative to the config file's directory;
* ``device`` — a device URL whose target is checked as its driver reads it (path, host:port, USB ids);
* ``address`` — an IP address or host name to listen on;
* ``secret`` — masked in ``kiosk config check`` output; may also be given as ``<key>_file`` (a file
  holding the value) or ``<key>_env`` (the name of an environment variable holding it).

The defaults are the embedded demo: everything simulated, nothing leaves the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.core.service_hours import ServiceHours, parse_service_hours


def _f(default: Any, **meta: Any) -> Any:
    """A dataclass field with constraint metadata (lists get a fresh default each time)."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


LANGUAGES = ("nl", "en", "de", "tr")


@dataclass(frozen=True)
class SiteConfig:
    """The library and this kiosk."""

    library_name: str = _f("Bibliotheek Wierden")
    kiosk_id: str = _f("KIOSK1")
    languages: list[str] = _f(["nl", "en"], choices=LANGUAGES)
    default_language: str = _f("nl", choices=LANGUAGES)
    # Where a returned item that someone else reserved goes: the holds bin, the trolley, or stays here.
    hold_returns: str = _f("bin", choices=("bin", "trolley", "shelf"))
    # The library's own pictures (logo.png, pass_reader.png, scanner.png, pad.png, terminal.png,
    # staff.png); a missing one falls back to the kiosk's default. "" = the defaults under assets/.
    pictures_dir: str = _f("", path=True)
    # Deprecated: today's hours come from [schedule]; used on the start screen only without one.
    opening_hours: list[str] = _f([])  # Monday..Sunday, "09:00-17:30" or "" (closed); 7 entries
    help_contact: str = _f("")  # how to reach staff, on the help screen


@dataclass(frozen=True)
class Sip2Config:
    """Connection to the circulation system (ILS) over SIP2."""

    url: str = _f("sim://", schemes=("sim", "tcp", "tls"))
    user: str = _f("kiosk")
    password: str = _f("", secret=True)
    institution: str = _f("WIERDEN")
    location: str = _f("KIOSK1")
    terminator: str = _f("cr", choices=("cr", "crlf"))
    encoding: str = _f("cp850", choices=("cp850", "utf-8", "latin-1", "ascii"))
    error_detection: str = _f("auto", choices=("on", "off", "auto"))
    timestamps: str = _f("local", choices=("local", "utc"))
    connect_timeout: float = _f(1.5, min=0.1, max=60)  # < 2 s: a dead ILS is "offline" within 2 s
    read_timeout: float = _f(5.0, min=0.1, max=120)
    # A request the ILS has not answered after this long sends the kiosk offline (the request is then
    # queued "in doubt" and checked with the ILS before it is sent again): the 2 s offline goal, traded
    # against an ILS that is merely slow. Raise it for an ILS that often takes longer over the WAN.
    offline_after: float = _f(1.5, min=0.5, max=60)
    # Seconds between SIP2 99 status requests while the kiosk is idle: the keepalive (ILSs close idle
    # sockets) and the health check that shows "offline" before a member scans. Raise it to spare the ILS.
    keepalive_interval: float = _f(1.0, min=0.5, max=3600)
    retries: int = _f(3, min=0, max=10)
    tls_ca_file: str = _f("", path=True)
    tls_cert_file: str = _f("", path=True)
    tls_key_file: str = _f("", path=True)
    tls_verify: bool = _f(True)
    wise_sip2plus: bool = _f(False)
    fee_format: str = _f("generic", choices=("generic", "3m", "swyer_b", "evergreen", "koha", "wise"))


@dataclass(frozen=True)
class DevicesConfig:
    """Device URLs (scheme chooses the backend; ``fake://`` and ``sim`` schemes are simulated)."""

    pass_readers: list[str] = _f(["fake://"], schemes=("fake", "pcsc"), device=True)
    barcode_scanner: str = _f("hid://", schemes=("hid", "serial", "fake"), device=True)
    printer: str = _f(
        "file://var/receipts",
        schemes=("file", "escpos+serial", "escpos+usb", "escpos+tcp", "fake"),
        device=True,
    )
    terminal: str = _f("zvt+sim://", schemes=("zvt+sim", "zvt+serial", "zvt+tcp", "fake"), device=True)
    # the RFID pad for items ("" = none); options and site rules in [rfid]
    rfid: str = _f("", schemes=("rfid+feig", "rfid+feig+tcp", "rfid+3m", "rfid+pcsc", "rfid+sim", ""))


@dataclass(frozen=True)
class SpeechConfig:
    """Speech output and speech mode (issue 17, docs/accessibility.md)."""

    # "" = no speech; espeak-ng://?voice=nl, fake:// (tests, demo), wav://DIR (recording, demo only)
    url: str = _f("", schemes=("", "espeak-ng", "fake", "wav"))
    # The headset jack (evdev:///dev/input/eventN?switch=headphone, fake://); "" = not reported here.
    jack: str = _f("", schemes=("", "evdev", "fake"))
    # The tactile "speech" key on a USB keypad, as a Kivy key code; 0 = none.
    key: int = _f(0, min=0, max=100000)


@dataclass(frozen=True)
class PassesConfig:
    """How a library pass is recognised: number validation and the NFC UID → pass number rule."""

    validation: str = _f("dutch14", choices=("dutch14", "off"))
    legacy_lengths: list[int] = _f([], choices=(10, 11, 12, 13))
    # One rule, or a chain tried in order ("ndef,table": the number written on the card, else the table).
    uid_rule: str = _f(
        "decimal", chain=("hex", "hex-reversed", "decimal", "decimal-reversed", "ndef", "table")
    )
    uid_table_file: str = _f("", path=True)


@dataclass(frozen=True)
class ItemsConfig:
    """How an item barcode is recognised (a scan that is neither pass nor item is refused, not sent)."""

    barcode_length: int = _f(14, min=0, max=64)  # 0: any length
    barcode_prefix: str = _f("3")
    check_digit: str = _f("mod10", choices=("mod10", "none"))


@dataclass(frozen=True)
class PaymentConfig:
    """Paying fees on the PIN terminal."""

    enabled: bool = _f(True)
    terminal_password: str = _f("123456", secret=True)
    currency: str = _f("EUR", choices=("EUR",))
    issue_of_goods: bool = _f(True)
    max_amount: str = _f("100.00", decimal=True)


@dataclass(frozen=True)
class SessionConfig:
    """A member's session at the kiosk."""

    pin: str = _f("patron", choices=("always", "never", "patron"))
    pin_tries: int = _f(3, min=1, max=10)
    idle_timeout: float = _f(60.0, min=10, max=900)
    # EN 301 549 11.2.2.1 (WCAG 2.2.1): at least 20 s to answer the idle warning ("more time").
    idle_warning: float = _f(20.0, min=20, max=120)
    pin_lockout_minutes: float = _f(15.0, min=1, max=1440)  # wrong PINs per pass kept (memory only)


@dataclass(frozen=True)
class OfflineConfig:
    """What the kiosk may do while the ILS is unreachable (returns are always accepted)."""

    allow_loans: bool = _f(True)
    max_loans_per_pass: int = _f(5, min=0, max=50)
    offline_pass_validation: bool = _f(True)


@dataclass(frozen=True)
class ReceiptConfig:
    """Receipts: whether to offer them and how the printer is set up."""

    mode: str = _f("ask", choices=("ask", "always", "never"))
    prompt_seconds: float = _f(15.0, min=5, max=120)  # unanswered receipt question: no receipt, goodbye
    width: int = _f(42, choices=(32, 42, 48))
    code_page: str = _f("CP858", choices=("CP858", "CP850", "CP437", "ISO_8859-15"))
    list_loans: bool = False  # also print all current loans with their due dates


@dataclass(frozen=True)
class StoreConfig:
    """Local storage: offline transaction queue and payment journal (minimal data, encrypted ids)."""

    path: str = _f("var/kiosk.db", path=True)
    key_file: str = _f("var/queue.key", path=True)
    retention_days: int = _f(14, min=1, max=90)


@dataclass(frozen=True)
class MaintenanceConfig:
    """Technician access. The demo PIN hash below is for PIN 1234 (change it on a real site)."""

    pin_hash: str = _f("", secret=True)
    technician_cards: list[str] = _f([])
    lockout_tries: int = _f(5, min=1, max=20)
    lockout_minutes: float = _f(5.0, min=1, max=1440)


@dataclass(frozen=True)
class MonitoringConfig:
    """Fleet monitoring: Prometheus metrics and webhook alerts (device and queue health only)."""

    metrics_address: str = _f("127.0.0.1", address=True)
    metrics_port: int = _f(0, min=0, max=65535)
    # TLS for /metrics and /healthz (both empty = plain HTTP); a client CA makes the listener demand a
    # client certificate signed by it (the fleet's Prometheus).
    metrics_tls_cert_file: str = _f("", path=True)
    metrics_tls_key_file: str = _f("", path=True)
    metrics_client_ca_file: str = _f("", path=True)
    webhook_url: str = _f("", schemes=("http", "https", ""))
    ils_offline_alert_minutes: float = _f(5.0, min=0.5, max=1440)
    alert_min_interval: float = _f(900.0, min=10, max=86400)


@dataclass(frozen=True)
class UiConfig:
    """The touch screen."""

    fullscreen: bool = _f(True)
    large_text: bool = _f(False)
    high_contrast: bool = _f(False)
    sound_volume: float = _f(0.6, min=0.0, max=1.0)


@dataclass(frozen=True)
class RfidConfig:
    """Items on the RFID pad ([devices] rfid): the gate security convention, sets, tag models, item ids.

    See docs/rfid.md "Borrowing and returning with the pad"; checked again by kiosk.rfid.settings."""

    security: str = _f("afi", choices=("afi", "eas", "afi+eas"))
    afi_on_loan: int = _f(0xC2, min=0, max=255)
    afi_in_library: int = _f(0x07, min=0, max=255)
    write_retries: int = _f(4, min=0, max=20)
    set_wait: float = _f(3.0, min=0.0, max=60.0)
    poll_interval: float = _f(0.3, min=0.05, max=5.0)  # inventories while items lie on the pad
    empty_poll_interval: float = _f(0.02, min=0.02, max=5.0)  # … while it is empty (8 ms of air each)
    models: list[str] = _f(["auto"])
    own_isils: list[str] = _f([])
    offline_security: str = _f("release", choices=("release", "refuse"))
    returns_from_idle: bool = _f(False)
    item_id_strip_prefix: list[str] = _f([])
    item_id_add_prefix: str = _f("")
    item_id_strip_leading_10: bool = _f(False)
    item_id_mapping_file: str = _f("", path=True)


@dataclass(frozen=True)
class KioskConfig:
    """The whole configuration. ``source`` is the file it came from (for messages)."""

    site: SiteConfig = field(default_factory=SiteConfig)
    sip2: Sip2Config = field(default_factory=Sip2Config)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    passes: PassesConfig = field(default_factory=PassesConfig)
    items: ItemsConfig = field(default_factory=ItemsConfig)
    payment: PaymentConfig = field(default_factory=PaymentConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    offline: OfflineConfig = field(default_factory=OfflineConfig)
    receipt: ReceiptConfig = field(default_factory=ReceiptConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    maintenance: MaintenanceConfig = field(default_factory=MaintenanceConfig)
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    rfid: RfidConfig = field(default_factory=RfidConfig)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    # [schedule] and [modes.staffed] / [modes.unstaffed] (kiosk/core/service_hours.py, docs/unstaffed.md)
    hours: ServiceHours = field(default_factory=lambda: parse_service_hours({}))
    hours_configured: bool = False  # the file has a [schedule] table (else staffed around the clock)
    source: str = ""


SECTIONS: dict[str, type] = {
    "site": SiteConfig,
    "sip2": Sip2Config,
    "devices": DevicesConfig,
    "passes": PassesConfig,
    "items": ItemsConfig,
    "payment": PaymentConfig,
    "session": SessionConfig,
    "offline": OfflineConfig,
    "receipt": ReceiptConfig,
    "store": StoreConfig,
    "maintenance": MaintenanceConfig,
    "monitoring": MonitoringConfig,
    "ui": UiConfig,
    "rfid": RfidConfig,
    "speech": SpeechConfig,
}
