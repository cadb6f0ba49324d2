"""Screen messages (AF) of the simulated ILS, in Dutch and English.

A real Dutch ILS answers in Dutch unless the patron's preferred language says otherwise; the kiosk
shows AF verbatim, so these read like what staff would write.
"""

from __future__ import annotations

from sip2.simulator.models import LANGUAGE_ENGLISH

_TEXTS: dict[str, tuple[str, str]] = {
    "unknown_patron": (
        "Deze pas is niet bekend. Neem contact op met de balie.",
        "This card is not known. Please ask at the desk.",
    ),
    "wrong_pin": ("De pincode is onjuist.", "The PIN is incorrect."),
    "blocked": (
        "Uw pas is geblokkeerd. Neem contact op met de balie.",
        "Your card is blocked. Please ask at the desk.",
    ),
    "expired": (
        "Uw abonnement is verlopen. Verleng het aan de balie.",
        "Your membership has expired. Please renew it at the desk.",
    ),
    "excessive_fees": (
        "U heeft openstaande kosten boven het maximum. Betaal eerst uw kosten.",
        "Your outstanding fees are above the limit. Please pay them first.",
    ),
    "max_loans": (
        "U heeft het maximum aantal materialen geleend.",
        "You have borrowed the maximum number of items.",
    ),
    "unknown_item": (
        "Dit exemplaar is niet bekend. Lever het in bij de balie.",
        "This item is not known. Please take it to the desk.",
    ),
    "on_loan_other": (
        "Dit exemplaar is uitgeleend aan een andere lener. Lever het in bij de balie.",
        "This item is on loan to another member. Please take it to the desk.",
    ),
    "on_hold_other": (
        "Dit exemplaar is gereserveerd voor een andere lener.",
        "This item is reserved for another member.",
    ),
    "fee_not_acknowledged": (
        "Aan dit exemplaar zijn kosten verbonden: EUR {amount}.",
        "This item has a charge: EUR {amount}.",
    ),
    "checked_out": ("Uitgeleend tot {due}.", "Due back on {due}."),
    "renewed": ("Verlengd tot {due}.", "Renewed until {due}."),
    "renewal_limit": ("Dit exemplaar kan niet meer verlengd worden.", "This item cannot be renewed again."),
    "not_on_loan_to_you": ("Dit exemplaar staat niet op uw pas.", "This item is not on your card."),
    "not_on_loan": ("Dit exemplaar was niet uitgeleend.", "This item was not on loan."),
    "returned": ("Ingeleverd. Dank u wel.", "Returned. Thank you."),
    "returned_hold": (
        "Ingeleverd. Leg dit exemplaar apart: het is gereserveerd.",
        "Returned. Please put this item aside: it has been reserved.",
    ),
    "returned_transit": (
        "Ingeleverd. Leg dit exemplaar apart: het gaat terug naar {library}.",
        "Returned. Please put this item aside: it goes back to {library}.",
    ),
    "returned_fine": (
        "Ingeleverd. Te laat: EUR {amount} is op uw pas gezet.",
        "Returned. Late: EUR {amount} has been charged to your card.",
    ),
    "renewed_all": (
        "{renewed} verlengd, {unrenewed} niet verlengd.",
        "{renewed} renewed, {unrenewed} not renewed.",
    ),
    "payment_accepted": (
        "Betaling van EUR {amount} ontvangen. Dank u wel.",
        "Payment of EUR {amount} received. Thank you.",
    ),
    "unknown_fee": ("Deze kosten zijn niet (meer) open.", "These charges are not (or no longer) open."),
    "amount_too_high": (
        "Het bedrag is hoger dan wat open staat (EUR {open}).",
        "The amount is more than what is outstanding (EUR {open}).",
    ),
    "bad_amount": ("Ongeldig bedrag.", "Invalid amount."),
    "bad_currency": ("Alleen betalingen in euro zijn mogelijk.", "Only payments in euro are possible."),
    "nothing_open": ("Er staan geen kosten open.", "There are no outstanding charges."),
    "hold_placed": (
        "Gereserveerd. U bent nummer {position} op de wachtlijst.",
        "Reserved. You are number {position} in the queue.",
    ),
    "hold_exists": ("U heeft dit exemplaar al gereserveerd.", "You have already reserved this item."),
    "hold_removed": ("Reservering geannuleerd.", "Reservation cancelled."),
    "hold_not_found": ("U heeft dit exemplaar niet gereserveerd.", "You have not reserved this item."),
    "hold_changed": ("Reservering gewijzigd.", "Reservation changed."),
    "card_blocked_by_sc": (
        "Uw pas is geblokkeerd door de zelfbedieningsautomaat.",
        "Your card has been blocked by the self-service kiosk.",
    ),
    "goodbye": ("Tot ziens!", "Goodbye!"),
}


def text(key: str, language: str = "", **values: object) -> str:
    """The screen message *key* in the patron's *language* (SIP2 code), filled with *values*."""
    dutch, english = _TEXTS[key]
    template = english if language == LANGUAGE_ENGLISH else dutch
    return template.format(**values)


def money(amount: object) -> str:
    """Format an amount for a screen message: Dutch style with a decimal comma (``2,50``)."""
    return f"{amount:.2f}".replace(".", ",") if not isinstance(amount, str) else amount
