"""Intermediate Status codes (P015 Table 17) and terminal status codes as message keys, with English
and Dutch texts. The UI translates keys through its own catalogue; these texts are the fallback and
what the technician CLI prints.
"""

from __future__ import annotations

# 04 FF <code> → key. Codes 0x40.. repeat 0x00.. with "and remove the card"; they map like their base.
INTERMEDIATE_KEYS: dict[int, str] = {
    0x00: "confirm_amount",
    0x01: "watch_pin_pad",
    0x02: "watch_pin_pad",
    0x03: "card_not_accepted",
    0x04: "contacting_bank",
    0x05: "auto_reversal",
    0x06: "please_wait",
    0x07: "card_not_accepted",
    0x08: "card_not_accepted",
    0x09: "card_expired",
    0x0A: "insert_card",
    0x0B: "remove_card",
    0x0C: "card_not_readable",
    0x0D: "processing_error",
    0x0E: "please_wait",
    0x0F: "please_wait",
    0x10: "card_not_accepted",
    0x12: "processing_error",
    0x13: "payment_not_possible",
    0x14: "payment_not_possible",
    0x15: "wrong_pin",
    0x16: "payment_not_possible",
    0x17: "please_wait",
    0x18: "pin_tries_exceeded",
    0x19: "card_not_readable",
    0x1C: "approved_take_goods",
    0x1D: "declined",
    0x2C: "please_wait",
    0xD2: "contacting_bank",
    0xD3: "contacting_bank",
    0xE0: "choose_application",
    0xF1: "please_wait",
    0xF2: "contacting_bank",
}

# Terminal status (05 01 → 06 0F last byte; P015 §11.1).
TERMINAL_STATUS_KEYS: dict[int, str] = {
    0x00: "terminal_ready",
    0x51: "terminal_needs_initialisation",
    0x9C: "terminal_busy",
    0xCC: "terminal_printer_fault",
    0xDF: "terminal_out_of_order",
    0xE1: "remove_card",
    0xF0: "terminal_needs_end_of_day",
}

TEXTS: dict[str, dict[str, str]] = {
    "confirm_amount": {"en": "Please confirm the amount", "nl": "Bevestig het bedrag"},
    "watch_pin_pad": {
        "en": "Follow the instructions on the terminal",
        "nl": "Volg de aanwijzingen op de betaalautomaat",
    },
    "card_not_accepted": {"en": "This card is not accepted", "nl": "Deze kaart wordt niet geaccepteerd"},
    "contacting_bank": {"en": "Contacting your bank…", "nl": "Verbinding met uw bank…"},
    "auto_reversal": {"en": "Payment is being cancelled", "nl": "Betaling wordt geannuleerd"},
    "please_wait": {"en": "Please wait…", "nl": "Een ogenblik geduld…"},
    "card_expired": {"en": "Card expired", "nl": "Kaart verlopen"},
    "insert_card": {"en": "Insert or tap your card", "nl": "Steek of houd uw betaalpas tegen de automaat"},
    "remove_card": {"en": "Please take your card", "nl": "Neem uw betaalpas uit"},
    "card_not_readable": {"en": "Card cannot be read", "nl": "Kaart kan niet gelezen worden"},
    "processing_error": {"en": "Processing error", "nl": "Verwerkingsfout"},
    "payment_not_possible": {"en": "Payment not possible", "nl": "Betalen niet mogelijk"},
    "wrong_pin": {"en": "Wrong PIN", "nl": "Onjuiste pincode"},
    "pin_tries_exceeded": {"en": "Too many wrong PINs", "nl": "Te vaak een onjuiste pincode"},
    "approved_take_goods": {"en": "Payment approved", "nl": "Betaling geaccepteerd"},
    "declined": {"en": "Payment declined", "nl": "Betaling geweigerd"},
    "choose_application": {"en": "Choose on the terminal", "nl": "Maak een keuze op de betaalautomaat"},
    "terminal_ready": {"en": "Terminal ready", "nl": "Betaalautomaat gereed"},
    "terminal_needs_initialisation": {
        "en": "Terminal needs initialisation",
        "nl": "Betaalautomaat moet geïnitialiseerd worden",
    },
    "terminal_busy": {"en": "Terminal busy", "nl": "Betaalautomaat bezet"},
    "terminal_printer_fault": {"en": "Terminal printer fault", "nl": "Printerstoring betaalautomaat"},
    "terminal_out_of_order": {"en": "Terminal out of order", "nl": "Betaalautomaat buiten gebruik"},
    "terminal_needs_end_of_day": {"en": "End-of-day required", "nl": "Dagafsluiting nodig"},
    "terminal_unknown_status": {"en": "Terminal not ready", "nl": "Betaalautomaat niet gereed"},
}


def intermediate_key(code: int) -> str:
    """Message key for an Intermediate Status code; unknown codes read as "please wait"."""
    key = INTERMEDIATE_KEYS.get(code)
    if key is None and 0x40 <= code < 0x80:
        key = INTERMEDIATE_KEYS.get(code - 0x40)
    return key or "please_wait"


def terminal_status_key(code: int) -> str:
    """Message key for a terminal status byte."""
    return TERMINAL_STATUS_KEYS.get(code, "terminal_unknown_status")


def text_for(key: str, language: str = "en") -> str:
    """The fallback text of a key in ``language`` ("en" or "nl"); English when unknown."""
    entry = TEXTS.get(key, {})
    return entry.get(language) or entry.get("en") or key
