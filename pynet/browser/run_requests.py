"""The page's requests about runs: the settings of a shared link, and a
run's notebook. Both are plain functions of their arguments (``links.py``,
``pynet.export.notebook``, imported with the first notebook); nothing here
keeps state."""

from __future__ import annotations

from typing import Any

from .links import read_link
from .values import as_py


class RunRequests:
    """``read_link`` and ``export_notebook``."""

    @staticmethod
    def read_link(pairs: Any, total: int | None = None) -> dict[str, Any]:
        """The training settings a shared link carries (``links.read_link``):
        what fills the form, each bad value's message, and what was ignored."""
        return read_link(as_py(pairs), total)

    @staticmethod
    def export_notebook(record: Any, wheel_url: str | None = None) -> dict[str, str]:
        """A run's notebook (``notebook.py``) from its record, as the page keeps
        it (``run_record``, in every training result): ``{filename, text}``.
        ``wheel_url``: the site's own pynet wheel, for the install cell.
        Raises NotebookError for a run no notebook can train again."""
        from pynet.export.notebook import notebook_filename, notebook_text  # the first export loads it

        record = as_py(record)
        name = record.get("name", "run") if isinstance(record, dict) else "run"
        return {"filename": notebook_filename(str(name)), "text": notebook_text(record, wheel_url)}
