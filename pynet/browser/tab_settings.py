"""The training form's settings as this tab allows them: the schema the page
builds its form from, the live checks, and the tab's memory budget that
caps them (``budget.py`` does the arithmetic)."""

from __future__ import annotations

from typing import Any

from pynet.config import ModelConfig, TrainConfig, settings_schema
from pynet.constraints import SettingsError
from pynet.io.untrusted import MAX_MODEL_BYTES
from pynet.recipes.preset_configs import FORM_PRESETS, configs, form_values

from .budget import DEFAULT_MEMORY_MB, MAX_PARAMS, parse_tab_settings
from .values import as_py

MIN_MEMORY_MB, MAX_MEMORY_MB = 64, 65_536  # what the page may say the tab's budget is


class TabSettings:
    """The tab's memory budget (``set_device``) and the form's settings
    checked against it."""

    def __init__(self) -> None:
        self.memory_mb = float(DEFAULT_MEMORY_MB)

    # ---- the page's requests ----------------------------------------------
    @staticmethod
    def settings_schema() -> dict[str, Any]:
        """The training form's fields, limits and defaults, the one-click
        presets, and the largest model (sent with "ready")."""
        fields = settings_schema(configs("in-tab"))
        if not fields["conv"]["default"]:  # a dense default: offer the example CNN's blocks when switching
            fields["conv"]["default"] = form_values("tfjs")["conv"]
        return {"fields": fields, "max_params": MAX_PARAMS, "max_model_bytes": MAX_MODEL_BYTES,
                "presets": {name: form_values(name) for name in FORM_PRESETS}}

    def validate_settings(self, settings: Any) -> dict[str, str]:
        """Each bad field's message (empty when all are fine); for live checks."""
        try:
            self.parse(settings)
        except SettingsError as exc:
            return exc.errors
        return {}

    def set_device(self, memory_mb: float) -> dict[str, float]:
        """The tab's memory budget in MB, as the page judges it from the device
        (``budget.parse_tab_settings`` caps the workers by it). Raises
        ValueError outside 64 to 65,536 MB."""
        value = float(memory_mb)
        if not MIN_MEMORY_MB <= value <= MAX_MEMORY_MB:
            raise ValueError(f"the tab's memory budget must be 64 to 65,536 MB, got {memory_mb}")
        self.memory_mb = value
        return {"memory_mb": value}

    # ---- for the other parts of the session --------------------------------
    def parse(self, settings: Any) -> tuple[ModelConfig, TrainConfig]:
        """The form's settings, checked against the tab's limits. Raises
        SettingsError naming each bad field."""
        return parse_tab_settings(as_py(settings), self.memory_mb)
