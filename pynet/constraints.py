"""Declarative rules for settings: one table says what each field accepts.

Like scikit-learn's ``_parameter_constraints``: the configs in ``config.py``
list one constraint per field, and the same rule then checks a dataclass built
in Python, parses a form field from the page or a CLI option, validates a
value read from a model file, and describes itself to the page (so the page
never restates a limit).

Two ways in:
- ``parse(raw, text=True)`` accepts what people type ("0.001", "256,128",
  "false") as well as typed values;
- ``parse(raw, text=False)`` accepts typed values only (JSON from a model file,
  Python callers): ``"3"`` is not a seed there, ``16.0`` not a layer size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE = 300  # characters: a hostile value must not turn into a huge message
_INT_TEXT = re.compile(r"[+-]?\d{1,30}")
_REAL_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?")


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(value: Any) -> str:
    """A value quoted for an error message, never longer than 40 characters."""
    return shorten(repr(value), 40)


class SettingsError(ValueError):
    """One or more settings are invalid. ``errors`` maps each field to its
    problem; ``field`` is the first of them (what a form highlights)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = {field: shorten(message) for field, message in errors.items()}
        self.field = next(iter(self.errors))
        super().__init__(shorten("; ".join(f"{f}: {m}" for f, m in self.errors.items()), 2 * MAX_MESSAGE))


class Constraint:
    """What one field accepts. ``parse`` raises ValueError with a short reason."""

    def parse(self, raw: Any, text: bool = False) -> Any:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Integer(Constraint):
    low: int
    high: int

    def parse(self, raw: Any, text: bool = False) -> int:
        if text and isinstance(raw, str) and _INT_TEXT.fullmatch(raw.strip()):
            raw = int(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"must be a whole number from {self.low:,} to {self.high:,}, got {show(raw)}")
        if not self.low <= raw <= self.high:
            raise ValueError(f"must be from {self.low:,} to {self.high:,}, got {show(raw)}")
        return raw

    def describe(self) -> dict[str, Any]:
        return {"kind": "integer", "min": self.low, "max": self.high}


@dataclass(frozen=True)
class Real(Constraint):
    """A finite number in a range; ``low_open``/``high_open`` exclude the ends."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def range_text(self) -> str:
        left = "greater than" if self.low_open else "at least"
        right = "less than" if self.high_open else "at most"
        return f"{left} {self.low:g} and {right} {self.high:g}"

    def parse(self, raw: Any, text: bool = False) -> float:
        if text and isinstance(raw, str) and _REAL_TEXT.fullmatch(raw.strip()):
            raw = float(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise ValueError(f"must be a number {self.range_text()}, got {show(raw)}")
        value = float(raw)
        too_low = value <= self.low if self.low_open else value < self.low
        too_high = value >= self.high if self.high_open else value > self.high
        if too_low or too_high:
            raise ValueError(f"must be {self.range_text()}, got {show(raw)}")
        return value

    def describe(self) -> dict[str, Any]:
        return {"kind": "number", "min": self.low, "max": self.high,
                "min_exclusive": self.low_open, "max_exclusive": self.high_open}


@dataclass(frozen=True)
class Choice(Constraint):
    options: tuple[str, ...]

    def parse(self, raw: Any, text: bool = False) -> str:
        if not (isinstance(raw, str) and raw in self.options):
            raise ValueError(f"must be one of {', '.join(self.options)}; got {show(raw)}")
        return raw

    def describe(self) -> dict[str, Any]:
        return {"kind": "choice", "options": list(self.options)}


@dataclass(frozen=True)
class Text(Constraint):
    """A short single-line string (names shown in the page)."""

    max_length: int

    def parse(self, raw: Any, text: bool = False) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"must be a non-empty text, got {show(raw)}")
        if len(raw) > self.max_length or any(ord(ch) < 32 for ch in raw):
            raise ValueError(f"must be one line of at most {self.max_length} characters")
        return raw

    def describe(self) -> dict[str, Any]:
        return {"kind": "text", "max_length": self.max_length}


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Boolean(Constraint):
    def parse(self, raw: Any, text: bool = False) -> bool:
        if isinstance(raw, bool):
            return raw
        if text and isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError(f"must be true or false, got {show(raw)}")

    def describe(self) -> dict[str, Any]:
        return {"kind": "boolean"}


@dataclass(frozen=True)
class Sizes(Constraint):
    """A list of layer sizes: ``"256,128"`` as text, or a list of integers."""

    max_items: int
    low: int
    high: int
    example: str = "256,128"

    def parse(self, raw: Any, text: bool = False) -> tuple[int, ...]:
        if text and isinstance(raw, str):
            cleaned = raw.replace(" ", "")
            if cleaned and not re.fullmatch(r"\d{1,30}(,\d{1,30})*", cleaned):
                raise ValueError(f"use whole numbers separated by commas, like {self.example}; got {show(raw)}")
            raw = [int(part) for part in cleaned.split(",")] if cleaned else []
        if not isinstance(raw, (list, tuple)):
            raise ValueError(f"must be a list of whole numbers, got {show(raw)}")
        if len(raw) > self.max_items:
            raise ValueError(f"at most {self.max_items} layers, got {len(raw)}")
        item = Integer(self.low, self.high)
        try:
            return tuple(item.parse(v) for v in raw)
        except ValueError as exc:
            raise ValueError(f"each size {exc}") from None

    def describe(self) -> dict[str, Any]:
        return {"kind": "sizes", "max_items": self.max_items, "min": self.low, "max": self.high,
                "example": self.example}


@dataclass(frozen=True)
class ConvBlocks(Constraint):
    """Convolution blocks as ``(filters, kernel)`` pairs: ``"8,16"`` (5x5
    kernels), ``"32x3,64x3"`` as text, or ``[[8, 5], [16, 5]]``."""

    max_items: int
    max_filters: int
    max_kernel: int
    default_kernel: int = 5

    def parse(self, raw: Any, text: bool = False) -> tuple[tuple[int, int], ...]:
        if text and isinstance(raw, str):
            cleaned = raw.replace(" ", "").lower()
            if cleaned and not re.fullmatch(r"\d{1,6}(x\d{1,3})?(,\d{1,6}(x\d{1,3})?)*", cleaned):
                raise ValueError(f"use filters per block separated by commas, like 8,16 or 32x3,64x3; got {show(raw)}")
            raw = [[int(v) for v in part.split("x")] if "x" in part else [int(part), self.default_kernel]
                   for part in cleaned.split(",")] if cleaned else []
        if not isinstance(raw, (list, tuple)):
            raise ValueError(f"must be a list of [filters, kernel] pairs, got {show(raw)}")
        if len(raw) > self.max_items:
            raise ValueError(f"at most {self.max_items} convolution blocks, got {len(raw)}")
        filters, kernel = Integer(1, self.max_filters), Integer(1, self.max_kernel)
        blocks = []
        for block in raw:
            if not isinstance(block, (list, tuple)) or len(block) != 2:
                raise ValueError(f"each block must be [filters, kernel], got {show(block)}")
            for what, rule, value in (("filters", filters, block[0]), ("kernel size", kernel, block[1])):
                try:
                    rule.parse(value)
                except ValueError as exc:
                    raise ValueError(f"{what} {exc}") from None
            blocks.append((block[0], block[1]))
        return tuple(blocks)

    def describe(self) -> dict[str, Any]:
        return {"kind": "conv", "max_items": self.max_items, "min": 1, "max": self.max_filters,
                "max_kernel": self.max_kernel, "default_kernel": self.default_kernel, "example": "8,16"}


def check_fields(obj: Any, table: dict[str, Constraint]) -> None:
    """Validate (and normalise, e.g. lists to tuples) a frozen dataclass's
    fields against ``table``; raises SettingsError naming every bad field."""
    errors = {}
    for name, constraint in table.items():
        try:
            object.__setattr__(obj, name, constraint.parse(getattr(obj, name)))
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise SettingsError(errors)
