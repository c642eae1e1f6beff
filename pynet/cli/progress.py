"""A terminal progress bar: tqdm when installed (``pip install pynet[cli]``),
otherwise a minimal built-in one, so the package needs only NumPy."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class _PlainBar:
    """Redraws one line: ``[#####.....] 45% 27000/60000 12,345 samples/s ETA 0:03``."""

    def __init__(self, total: int, desc: str, file: TextIO) -> None:
        self.total, self.desc, self.file = total, desc, file
        self.n, self.start, self.postfix = 0, time.perf_counter(), ""
        self._last_draw = 0.0

    def update(self, n: int) -> None:
        self.n += n
        now = time.perf_counter()
        if now - self._last_draw > 0.2 or self.n >= self.total:
            self._last_draw = now
            self._draw(now)

    def set_postfix_str(self, text: str) -> None:
        self.postfix = text

    def _draw(self, now: float) -> None:
        frac = self.n / self.total if self.total else 1.0
        rate = self.n / max(now - self.start, 1e-9)
        eta = int((self.total - self.n) / rate) if rate > 0 else 0
        bar = "#" * int(frac * 30)
        self.file.write(
            f"\r{self.desc} [{bar:<30}] {frac:4.0%} {self.n}/{self.total} "
            f"{rate:,.0f} samples/s ETA {eta // 60}:{eta % 60:02d} {self.postfix}"
        )
        self.file.flush()

    def close(self) -> None:
        self.file.write("\n")
        self.file.flush()


def progress_bar(total: int, desc: str, file: TextIO = sys.stderr):
    """A bar with ``update(n)``, ``set_postfix_str(s)`` and ``close()``."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, file)
    return tqdm(total=total, desc=desc, unit=" samples", unit_scale=True, file=file, dynamic_ncols=True)
