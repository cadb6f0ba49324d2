"""Which model wrote this tag: try each configured model; only a model that proves itself answers.

Order matters and comes from the configuration: a site layout (the Dutch model of the library) first,
then Danish, ISO 28560-2 and 3M 501 (notes/rfid.md §7.2). Blank memory is recognised before any model.
A model that raises :class:`~drivers.errors.TagDataError` has not proved itself; if none does, the answer
is :class:`Unknown` with every model's objection — never the most likely model.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from drivers.errors import TagDataError
from drivers.rfid.models.core import Blank, Foreign, TagData, TagModel, TagModelConfigError, Unknown, isil_key
from drivers.rfid.models.danish import DanishModel
from drivers.rfid.models.iso28560_2 import Iso28560Part2Model
from drivers.rfid.models.m3_501 import M3Legacy501Model, blank_kind
from drivers.rfid.models.site import SiteLayout

DEFAULT_MODELS: tuple[TagModel, ...] = (DanishModel(), Iso28560Part2Model(), M3Legacy501Model())
"""The models every kiosk knows; a site puts its own :class:`~drivers.rfid.models.site.SiteLayout` first."""


def detect(
    blocks: bytes, models: Sequence[TagModel] = DEFAULT_MODELS, *, own_isils: Collection[str] = ()
) -> TagData | Unknown | Blank | Foreign:
    """Decode ``blocks`` (user memory in tag order, block 0 first) with the first model that proves itself.

    With ``own_isils`` given, a tag whose owner ISIL is not one of them is :class:`Foreign` (the decoded
    data rides along); a tag that names no owner is taken as the library's own, and one that names a
    library without a country matches an own ISIL's part after the country. Models raise only
    :class:`~drivers.errors.TagDataError` for bad bytes (fuzz-tested), so this never raises for any input.
    """
    data = bytes(blocks)
    kind = blank_kind(data)
    if kind is not None:
        return Blank(kind)
    if not data:
        return Unknown(("no data",))
    reasons: list[str] = []
    for model in models:
        try:
            decoded = model.decode(data)
        except TagDataError as error:
            reasons.append(f"{model.name}: {error}" if not str(error).startswith(model.name) else str(error))
            continue
        if own_isils and decoded.owner_isil and not _is_own(decoded.owner_isil, decoded.country, own_isils):
            return Foreign(decoded.owner_isil, decoded)
        return decoded
    return Unknown(tuple(reasons))


def _is_own(owner: str, country: str | None, own_isils: Collection[str]) -> bool:
    """Whether ``owner`` is one of ``own_isils`` (an owner without a country matches on the rest)."""
    keys = {isil_key(isil) for isil in own_isils}
    if country is None and "-" not in owner:
        keys |= {isil_key(isil.partition("-")[2]) for isil in own_isils if "-" in isil}
    return isil_key(owner) in keys


def models_by_name(names: Sequence[str], layouts: Sequence[SiteLayout] = ()) -> tuple[TagModel, ...]:
    """The models for a configured list such as ``["site:wierden", "danish", "iso28560-2", "3m-501"]``.

    ``"auto"`` stands for every layout in ``layouts`` followed by :data:`DEFAULT_MODELS`. Raises
    :class:`~drivers.rfid.models.core.TagModelConfigError` for a name that is neither.
    """
    known: dict[str, TagModel] = {model.name: model for model in (*layouts, *DEFAULT_MODELS)}
    chosen: list[TagModel] = []
    for name in names:
        if name == "auto":
            chosen.extend([*layouts, *DEFAULT_MODELS])
        elif name in known:
            chosen.append(known[name])
        else:
            raise TagModelConfigError(
                f"unknown tag data model {name!r}; expected auto or one of {', '.join(known)}"
            )
    return tuple(dict.fromkeys(chosen))
