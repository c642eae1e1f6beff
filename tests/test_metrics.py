import numpy as np
import pytest

from pynet.training.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    misclassified_indices,
    per_class_accuracy,
    prediction_distribution,
)

Y_TRUE = np.array([0, 0, 1, 1, 1, 2])
Y_PRED = np.array([0, 1, 1, 1, 0, 2])


def test_hand_example():
    cm = confusion_matrix(Y_TRUE, Y_PRED, n_classes=3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [1, 2, 0], [0, 0, 1]])
    assert cm.sum() == len(Y_TRUE)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(Y_TRUE))
    np.testing.assert_allclose(per_class_accuracy(Y_TRUE, Y_PRED, 3), [0.5, 2 / 3, 1.0])
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    np.testing.assert_array_equal(prediction_distribution(Y_PRED, 3), [2, 3, 1])
    np.testing.assert_array_equal(misclassified_indices(Y_TRUE, Y_PRED), [1, 4])


def test_class_without_samples_is_nan_and_report_is_json_ready():
    assert np.isnan(per_class_accuracy(np.array([0]), np.array([0]), 2)[1])
    report = classification_report(Y_TRUE, Y_PRED, 3)
    assert report["per_class_accuracy"][2] == 1.0
    assert report["confusion_matrix"][1] == [1, 2, 0]
    assert accuracy(np.array([]), np.array([])) == 0.0
