"""Receipt → ESC/POS bytes, without a printer: python-escpos's ``Dummy`` printer collects the commands.

The code page is selected once (``ESC t n``) and text is fitted to it beforehand, so python-escpos never
switches code pages mid-receipt. CP858 is CP850 with ``€`` at D5h: it has every character Dutch needs
(ë 89h, é 82h, ï 8Bh, € D5h) and is table 19 in the Epson TM profile.
"""

from __future__ import annotations

from drivers.errors import DeviceConfigurationError
from drivers.printer.receipt import Receipt, receipt_lines

# ESC/POS code page name (python-escpos spelling) → Python codec.
CODE_PAGES: dict[str, str] = {
    "CP858": "cp858",
    "CP850": "cp850",
    "CP437": "cp437",
    "CP1252": "cp1252",
    "ISO_8859-15": "iso8859_15",
}
DEFAULT_CODE_PAGE = "CP858"


def check_code_page(code_page: str) -> str:
    """Normalise a code page name, or raise DeviceConfigurationError listing the supported ones."""
    name = code_page.upper().replace("PC", "CP") if code_page else DEFAULT_CODE_PAGE
    if name not in CODE_PAGES:
        raise DeviceConfigurationError(
            f"code page {code_page!r}; expected one of {', '.join(CODE_PAGES)} (CP858 has € and ë)"
        )
    return name


def render_receipt(
    receipt: Receipt, width: int = 42, code_page: str = DEFAULT_CODE_PAGE, cut: bool = True
) -> bytes:
    """Render ``receipt`` to ESC/POS bytes for a ``width``-column printer (32, 42 or 48)."""
    from escpos.printer import Dummy  # python-escpos: lazy, like every optional device library

    name = check_code_page(code_page)
    printer = Dummy(profile="default")
    printer.hw("INIT")  # ESC @: a known state whatever the previous job left behind
    printer.charcode(name)
    try:
        lines = receipt_lines(receipt, width, CODE_PAGES[name])
    except ValueError as exc:
        raise DeviceConfigurationError(str(exc)) from None
    style = ""
    for line_style, line in lines:
        if line_style != style:
            printer.set(
                align="center" if line_style in ("title", "center") else "left",
                bold=line_style in ("title", "heading"),
            )
            style = line_style
        printer.textln(line)
    if style:
        printer.set(align="left", bold=False)
    if cut:
        printer.cut()  # feeds past the cutter first
    return bytes(printer.output)
