import numpy as np
import pytest

from pynet.nn.optimizers import SGD, Adam, make_optimizer


def test_sgd_momentum_hand_computed():
    p = np.array([1.0, -2.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    g = np.array([0.5, 1.0])
    opt.step([g])  # v = -0.1*g = (-0.05, -0.1)
    np.testing.assert_allclose(p, [0.95, -2.1])
    opt.step([g])  # v = 0.9*v - 0.1*g = (-0.095, -0.19)
    np.testing.assert_allclose(p, [0.855, -2.29])
    assert opt.t == 2


def test_adam_hand_computed_two_steps():
    p = np.array([1.0])
    opt = Adam([p], lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.step([np.array([2.0])])
    # m = 0.2, v = 0.004; m_hat = 2, v_hat = 4 -> step = 0.1 * 2 / (2 + 1e-8)
    np.testing.assert_allclose(p, [1.0 - 0.1 * 2 / (2 + 1e-8)])
    opt.step([np.array([1.0])])
    m = 0.9 * 0.2 + 0.1 * 1.0
    v = 0.999 * 0.004 + 0.001 * 1.0
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    expected = 1.0 - 0.1 * 2 / (2 + 1e-8) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p, [expected], rtol=1e-12)


def test_adam_weight_decay_is_decoupled():
    p = np.array([10.0])
    Adam([p], lr=0.1, weight_decay=0.5).step([np.array([0.0])])
    np.testing.assert_allclose(p, [10.0 * (1 - 0.1 * 0.5)])


def test_updates_are_in_place():
    p = np.ones(3)
    ref = p
    Adam([p], lr=0.1).step([np.ones(3)])
    assert ref is p and not np.allclose(ref, 1.0)


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_state_round_trip_resumes_identically(name, rng):
    grads = [rng.normal(size=(3, 2)) for _ in range(6)]
    p1 = np.zeros((3, 2))
    a = make_optimizer(name, [p1], lr=0.05)
    for g in grads[:3]:
        a.step([g])
    state = a.state_dict()
    p2 = p1.copy()
    b = make_optimizer(name, [p2], lr=0.05)
    b.load_state_dict(state)
    for g in grads[3:]:
        a.step([g])
        b.step([g])
    np.testing.assert_array_equal(p1, p2)
    assert b.t == 6


def test_bad_hyperparameters_rejected():
    with pytest.raises(ValueError, match="learning rate"):
        Adam([np.zeros(1)], lr=0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([np.zeros(1)], momentum=1.5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", [np.zeros(1)])
