"""Optimisers that update parameters in place.

State (step count ``t``, moment buffers) is kept in lists parallel to the
parameter list, scikit-learn style, and can be exported with ``state_dict`` and
restored with ``load_state_dict`` so training can be saved and resumed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pynet.config import OPTIMIZERS


class Optimizer:
    """Common plumbing: the parameter list, the learning rate, state I/O."""

    name = "optimizer"
    state_keys: tuple[str, ...] = ()

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.params = params
        self.lr = float(lr)
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """Update every parameter in place from its gradient (same order)."""
        raise NotImplementedError

    def hyperparams(self) -> dict[str, Any]:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: hyperparameters, ``t`` and buffers."""
        buffers = {k: [b.copy() for b in getattr(self, k)] for k in self.state_keys}
        return {"name": self.name, "t": self.t, "hyperparams": self.hyperparams(), "buffers": buffers}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["name"] != self.name:
            raise ValueError(f"state is for {state['name']!r}, not {self.name!r}")
        for key in self.state_keys:
            mine, theirs = getattr(self, key), state["buffers"][key]
            if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
                raise ValueError(f"optimizer buffer {key!r} does not match the parameters")
            for a, b in zip(mine, theirs):
                a[...] = b
        self.t = int(state["t"])


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum:
    ``v = momentum*v - lr*g; p += v``."""

    name = "sgd"
    state_keys = ("velocity",)

    def __init__(self, params: list[np.ndarray], lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        """v = momentum * v - lr * g; p += v."""
        self.t += 1
        for p, g, v in zip(self.params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v

    def hyperparams(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum}

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam with bias correction; ``weight_decay`` is decoupled (AdamW), so it
    shrinks weights directly instead of being rescaled by the second moment."""

    name = "adam"
    state_keys = ("m", "v")

    def __init__(self, params: list[np.ndarray], lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.weight_decay = float(weight_decay)
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]  # not state: reused every step

    def step(self, grads: list[np.ndarray]) -> None:
        """p -= lr * m_hat / (sqrt(v_hat) + eps) (and p -= lr * wd * p); m, v: running means of g and g*g."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Fold both bias corrections into one scalar step size (Kingma & Ba, sec. 2):
        # lr * m_hat / (sqrt(v_hat) + eps) == step_size * m / (sqrt(v) + eps_hat), with
        # m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t) and the two scalars below.
        # Python floats, not NumPy float64 scalars: those would promote float32
        # arrays to float64 temporaries under NumPy 2's rules.
        step_size = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        eps_hat = self.eps * math.sqrt(1 - b2**self.t)
        # Every operation writes into m, v, p or one scratch buffer: no per-step
        # allocations (2.0 -> 1.5 ms per step for 784-128-10 in Pyodide, measured).
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self._scratch):
            np.multiply(g, 1 - b1, out=tmp)
            m *= b1
            m += tmp  # m = b1*m + (1-b1)*g
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v *= b2
            v += tmp  # v = b2*v + (1-b2)*g^2
            if self.weight_decay:
                p *= 1 - self.lr * self.weight_decay
            np.sqrt(v, out=tmp)
            tmp += eps_hat
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp

    def hyperparams(self) -> dict[str, Any]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps,
                "weight_decay": self.weight_decay}

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, weight_decay={self.weight_decay})"


def make_optimizer(name: str, params: list[np.ndarray], **hyperparams: Any) -> Optimizer:
    """Build an optimiser by name ("adam" or "sgd")."""
    if name == "adam":
        return Adam(params, **hyperparams)
    if name == "sgd":
        return SGD(params, **hyperparams)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")
