"""Kept for notebooks exported before pynet had subpackages, which import
``pynet.model.build_model``: the model lives in ``pynet/nn/model.py``."""

from pynet.nn.model import Sequential, build_model, copy_model

__all__ = ["Sequential", "build_model", "copy_model"]
