"""Demo data: two Dutch libraries, patrons for every situation a kiosk meets, items for every case.

Documented for people in ``docs/demo-data.md``; the constants here are what tests and the kiosk's demo
mode refer to.  Pass numbers follow the 14-digit Dutch scheme (``2`` + location + serial + check digit),
item barcodes the same scheme with ``3``.  Names, addresses and e-mail addresses are invented; titles
are real Dutch books, so the kiosk's rule "never log a title" is exercised with realistic text.
Dates are relative to the library's today, so the demo never goes stale.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sip2.simulator.models import (
    FEE_HOLD,
    FEE_OVERDUE,
    FEE_REPLACEMENT,
    LANGUAGE_ENGLISH,
    MEDIA_AUDIO_TAPE,
    MEDIA_BOOK,
    MEDIA_CD,
    Item,
    Loan,
    LoanRule,
    Patron,
)
from sip2.simulator.passes import item_barcode, pass_number
from sip2.simulator.state import LibraryState

INSTITUTION = "WIERDEN"
OTHER_INSTITUTION = "ENTER"
LIBRARIES = {INSTITUTION: "Bibliotheek Wierden", OTHER_INSTITUTION: "Bibliotheek Enter"}
_HOME, _OTHER = "0301", "0302"

# -- patrons (pass number, PIN) --------------------------------------------------------------------------
NORMAL = pass_number(_HOME, 1001)  # member in good standing, has loans
NORMAL_PIN = "1234"
BLOCKED = pass_number(_HOME, 1002)  # card reported lost -> blocked
BLOCKED_PIN = "2222"
EXPIRED = pass_number(_HOME, 1003)  # membership ended
EXPIRED_PIN = "3333"
FEES = pass_number(_HOME, 1004)  # fees below the limit: may borrow and pay
FEES_PIN = "4444"
HOLD_READY = pass_number(_HOME, 1005)  # a hold waits on the hold shelf
HOLD_READY_PIN = "5555"
ENGLISH = pass_number(_HOME, 1006)  # prefers English (language 001)
ENGLISH_PIN = "6666"
MAX_LOANS = pass_number(_HOME, 1007)  # youth card at its maximum of loans
MAX_LOANS_PIN = "7777"
EXCESSIVE_FEES = pass_number(_HOME, 1008)  # fees above the limit: loans refused until paid
EXCESSIVE_FEES_PIN = "8888"
OTHER_MEMBER = pass_number(_OTHER, 2001)  # member of the second library
OTHER_MEMBER_PIN = "9999"

# -- items ---------------------------------------------------------------------------------------------
AVAILABLE = item_barcode(_HOME, 50001)  # on the shelf
AVAILABLE_2 = item_barcode(_HOME, 50002)
AVAILABLE_3 = item_barcode(_HOME, 50003)
ON_LOAN_OTHER = item_barcode(_HOME, 50004)  # on loan to HOLD_READY: others are refused
ON_LOAN = item_barcode(_HOME, 50005)  # on loan to NORMAL, renewable
RENEWAL_LIMIT = item_barcode(_HOME, 50006)  # on loan to NORMAL, renewed twice already
ON_HOLD_OTHER = item_barcode(_HOME, 50007)  # on loan to NORMAL, reserved by ENGLISH: checkin alerts
HOLD_SHELF = item_barcode(_HOME, 50008)  # waiting on the hold shelf for HOLD_READY
RENTAL_DVD = item_barcode(_HOME, 50009)  # DVD with a rental charge of EUR 1,00
MAGNETIC = item_barcode(_HOME, 50010)  # audiobook on cassette: magnetic media
OVERDUE = item_barcode(_HOME, 50011)  # on loan to FEES, 10 days overdue: checkin charges a fine
YOUTH_1 = item_barcode(_HOME, 50012)  # the three loans of MAX_LOANS
YOUTH_2 = item_barcode(_HOME, 50013)
YOUTH_3 = item_barcode(_HOME, 50014)
YOUTH_AVAILABLE = item_barcode(_HOME, 50015)  # on the shelf, youth collection
ACCENTED = item_barcode(_HOME, 50016)  # title with accents (encoding/NFD tests)
OTHER_LIBRARY = item_barcode(_OTHER, 60001)  # owned by Enter: a checkin in Wierden sends it back

# -- fees (ids are numeric, like Wise registration ids) -------------------------------------------------
FEE_OVERDUE_ID = "900001"  # FEES: EUR 0,50 late fine
FEE_HOLD_ID = "900002"  # FEES: EUR 2,50 reservation charge
FEE_REPLACEMENT_ID = "900003"  # EXCESSIVE_FEES: EUR 12,50 damaged item


def _rules() -> list[LoanRule]:
    return [
        LoanRule("boek", 21, 2, Decimal("0.25"), Decimal("5.00")),
        LoanRule("jeugd", 21, 2),  # no fines for children, as in most Dutch libraries
        LoanRule("dvd", 7, 1, Decimal("0.50"), Decimal("5.00"), rental_fee=Decimal("1.00")),
        LoanRule("luisterboek", 21, 2, Decimal("0.25"), Decimal("5.00")),
    ]


def _patrons(today: datetime) -> list[Patron]:
    valid = (today + timedelta(days=365)).date()
    place = "7642 AB Wierden"
    return [
        Patron(
            NORMAL,
            INSTITUTION,
            NORMAL_PIN,
            "Jan de Vries",
            valid,
            address=f"Dorpsstraat 1, {place}",
            email="jan.devries@example.nl",
            phone="0546-000001",
            purpose="normal member with loans",
        ),
        Patron(
            BLOCKED,
            INSTITUTION,
            BLOCKED_PIN,
            "Fatima el Amrani",
            valid,
            blocked=True,
            card_lost=True,
            block_reason="Pas als verloren gemeld",
            email="f.elamrani@example.nl",
            purpose="blocked: card reported lost",
        ),
        Patron(
            EXPIRED,
            INSTITUTION,
            EXPIRED_PIN,
            "Pieter Bakker",
            (today - timedelta(days=30)).date(),
            email="pbakker@example.nl",
            purpose="membership expired a month ago",
        ),
        Patron(
            FEES,
            INSTITUTION,
            FEES_PIN,
            "Sanne Jansen",
            valid,
            email="sanne@example.nl",
            purpose="open fees EUR 3,00 (below the limit), one overdue loan",
        ),
        Patron(
            HOLD_READY,
            INSTITUTION,
            HOLD_READY_PIN,
            "Kees van Dijk",
            valid,
            email="kvdijk@example.nl",
            purpose="a hold ready on the hold shelf",
        ),
        Patron(
            ENGLISH,
            INSTITUTION,
            ENGLISH_PIN,
            "Emily Clarke",
            valid,
            language=LANGUAGE_ENGLISH,
            email="emily.clarke@example.com",
            purpose="prefers English; reserved an item",
        ),
        Patron(
            MAX_LOANS,
            INSTITUTION,
            MAX_LOANS_PIN,
            "Noah Visser",
            valid,
            max_loans=3,
            purpose="youth card at its maximum of 3 loans",
        ),
        Patron(
            EXCESSIVE_FEES,
            INSTITUTION,
            EXCESSIVE_FEES_PIN,
            "Chloë Smit",
            valid,
            email="chloe.smit@example.nl",
            purpose="fees EUR 12,50 above the limit: loans refused",
        ),
        Patron(
            OTHER_MEMBER,
            OTHER_INSTITUTION,
            OTHER_MEMBER_PIN,
            "Daan Mulder",
            valid,
            address="Dorpsstraat 2, 7468 AA Enter",
            purpose="member of the second library",
        ),
    ]


def _items() -> list[Item]:
    youth = "Jeugd"
    return [
        Item(AVAILABLE, INSTITUTION, "Het diner", "boek", purpose="available"),
        Item(AVAILABLE_2, INSTITUTION, "De avond is ongemak", "boek", purpose="available"),
        Item(AVAILABLE_3, INSTITUTION, "Max Havelaar", "boek", purpose="available"),
        Item(ON_LOAN_OTHER, INSTITUTION, "De aanslag", "boek", purpose="on loan to another member"),
        Item(ON_LOAN, INSTITUTION, "Tonio", "boek", purpose="on loan to the normal member, renewable"),
        Item(RENEWAL_LIMIT, INSTITUTION, "Dit zijn de namen", "boek", purpose="renewal limit reached"),
        Item(
            ON_HOLD_OTHER,
            INSTITUTION,
            "Oorlog en terpentijn",
            "boek",
            holds=[ENGLISH],
            purpose="on loan, reserved by someone else: no renewal, checkin alerts",
        ),
        Item(
            HOLD_SHELF,
            INSTITUTION,
            "Het smelt",
            "boek",
            holds=[HOLD_READY],
            hold_shelf_for=HOLD_READY,
            location="Afhaalkast",
            purpose="on the hold shelf for another member",
        ),
        Item(
            RENTAL_DVD,
            INSTITUTION,
            "Zwartboek",
            "dvd",
            media_type=MEDIA_CD,
            location="Dvd",
            purpose="DVD with a rental charge",
        ),
        Item(
            MAGNETIC,
            INSTITUTION,
            "Het Achterhuis (luisterboek)",
            "luisterboek",
            media_type=MEDIA_AUDIO_TAPE,
            magnetic=True,
            location="Luisterboeken",
            purpose="magnetic media (audio cassette)",
        ),
        Item(OVERDUE, INSTITUTION, "Komt een vrouw bij de dokter", "boek", purpose="overdue loan"),
        Item(
            YOUTH_1, INSTITUTION, "Dikkie Dik: De verjaardag", "jeugd", location=youth, purpose="youth loan"
        ),
        Item(YOUTH_2, INSTITUTION, "Nijntje in de speeltuin", "jeugd", location=youth, purpose="youth loan"),
        Item(YOUTH_3, INSTITUTION, "De Gruffalo", "jeugd", location=youth, purpose="youth loan"),
        Item(
            YOUTH_AVAILABLE, INSTITUTION, "Kikker is verliefd", "jeugd", location=youth, purpose="available"
        ),
        Item(
            ACCENTED,
            INSTITUTION,
            "Crème brûlée & café: Franse desserts",
            "boek",
            media_type=MEDIA_BOOK,
            location="Koken",
            purpose="available; title with accents",
        ),
        Item(OTHER_LIBRARY, OTHER_INSTITUTION, "Het Bureau", "boek", purpose="belongs to the second library"),
    ]


def fill_demo(library: LibraryState) -> None:
    """Replace *library*'s contents with the demo data, dated relative to its today."""
    with library.lock:
        today = datetime.combine(library.today(), time(10, 0))
        library.institutions = dict(LIBRARIES)
        library.rules = {r.name: r for r in _rules()}
        library.patrons = {p.patron_id: p for p in _patrons(today)}
        library.items = {i.item_id: i for i in _items()}

        def lend(item_id: str, patron_id: str, days_ago: int, renewals: int = 0) -> None:
            start = today - timedelta(days=days_ago)
            days = library.rules[library.items[item_id].rule].loan_days * (renewals + 1)
            due = datetime.combine((start + timedelta(days=days)).date(), time(23, 59))
            library.loans[item_id] = Loan(item_id, patron_id, start, due, renewals)

        library.loans = {}
        lend(ON_LOAN_OTHER, HOLD_READY, 5)
        lend(ON_LOAN, NORMAL, 7)
        lend(RENEWAL_LIMIT, NORMAL, 50, renewals=2)
        lend(ON_HOLD_OTHER, NORMAL, 14)
        lend(OVERDUE, FEES, 31)  # due 21 days after lending: 10 days overdue
        for item_id in (YOUTH_1, YOUTH_2, YOUTH_3):
            lend(item_id, MAX_LOANS, 3)
        library.fees = {}
        library.next_fee_number = 900000
        library.add_fee(
            FEES,
            FEE_OVERDUE,
            Decimal("0.50"),
            "Te laat ingeleverd (2 dagen)",
            when=today - timedelta(days=40),
        )
        library.add_fee(
            FEES, FEE_HOLD, Decimal("2.50"), "Reserveringskosten", when=today - timedelta(days=20)
        )
        library.add_fee(
            EXCESSIVE_FEES,
            FEE_REPLACEMENT,
            Decimal("12.50"),
            "Vervanging beschadigd exemplaar",
            when=today - timedelta(days=60),
        )
        library.next_fee_number = 900100
        library.payments = []
        library.checkins = []
        library.applied = []
