"""The benchmark's data-parallelism part (run by ``build/bench.py``): the
TensorFlow.js example CNN's training throughput in the tab with 1, 2 and 4
workers at batch 64 and 128 and the scaling efficiency; the shipped model's
Evaluate with one worker and with all of them; and teaching a drawing with
the head-only fine-tune (cold: its MNIST features computed; warm: cached) and
the whole-network one. Printed numbers, never a pass/fail.
"""

from __future__ import annotations

import time

from build.pagedriver import (
    draw_strokes,
    mnist_test_images,
    set_settings,
    wait_evaluated,
    wait_idle,
    wait_ready,
)

WORKER_COUNTS = (1, 2, 4)


def worker_scaling(page, tab_throughput) -> dict:
    """samples/s of the TF.js example CNN per (batch, workers), with each
    count's speed-up over one worker and efficiency (speed-up / workers)."""
    out: dict = {}
    for batch in (64, 128):
        rows = {}
        for workers in WORKER_COUNTS:
            rows[workers] = tab_throughput(page, "tfjs", 10_000, batch_size=batch, workers=workers)
        one = rows[1].get("samples_per_sec")
        for workers, row in rows.items():
            if one and row.get("samples_per_sec"):
                row["speedup"] = round(row["samples_per_sec"] / one, 2)
                row["efficiency"] = round(row["speedup"] / workers, 2)
        out[f"batch_{batch}"] = {f"{w}_workers": r for w, r in rows.items()}
    return out


def evaluate_seconds(page, workers: int) -> dict:
    """Click Evaluate on the active model: seconds to the report (MNIST already loaded)."""
    set_settings(page, workers=workers)
    page.evaluate("() => document.querySelector('[data-testid=test-accuracy]').dataset.value = ''")
    t0 = time.perf_counter()
    page.get_by_test_id("evaluate").click()
    accuracy = wait_evaluated(page)
    return {"workers": workers, "seconds": round(time.perf_counter() - t0, 2), "test_accuracy": accuracy}


def evaluation_scaling(page, all_workers: int) -> dict:
    """The shipped model's Evaluate, with one worker then with all (each after a first, unmeasured run)."""
    use_pretrained(page)
    evaluate_seconds(page, all_workers)  # MNIST downloaded and helpers warm: what a second Evaluate costs
    return {"1_worker": evaluate_seconds(page, 1), f"{all_workers}_workers": evaluate_seconds(page, all_workers)}


def use_pretrained(page) -> None:
    page.get_by_test_id("use-pretrained").click()
    page.wait_for_function("() => document.querySelector('[data-testid=model-name]').dataset.name === 'pretrained'")


def fine_tune_seconds(page, whole_network: bool) -> dict:
    """Add the drawn digit as a sample and press Fine-tune: seconds until the
    new model is active, and what the check reported."""
    page.get_by_test_id("fine-tune-whole").set_checked(whole_network)
    before = page.get_by_test_id("model-name").get_attribute("data-name")
    t0 = time.perf_counter()
    page.get_by_test_id("fine-tune").click()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=model-name]').dataset.name !== {before!r}", timeout=600_000)
    seconds = time.perf_counter() - t0
    wait_idle(page, 600_000)
    name = page.get_by_test_id("model-name").get_attribute("data-name")
    page.wait_for_function(  # the result line is written once the new model is active
        f"() => document.querySelector('[data-testid=teach-result]').textContent.startsWith({name!r})")
    result = page.get_by_test_id("teach-result")
    return {"whole_network": whole_network, "seconds_to_active": round(seconds, 2),
            "check_before": result.get_attribute("data-check-before"),
            "check_after": result.get_attribute("data-check-after"), "text": result.text_content()}


def teaching(page) -> dict:
    """Head-only fine-tune of the shipped model on one drawing, cold then warm, then the whole network."""
    use_pretrained(page)
    if page.get_by_test_id("teach-clear").is_enabled():
        page.get_by_test_id("teach-clear").click()
    page.get_by_test_id("clear").click()
    draw_strokes(page, mnist_test_images(1)[0])
    page.get_by_test_id("teach-label").select_option("7")
    page.get_by_test_id("teach-add").click()
    page.wait_for_function("() => document.querySelector('[data-testid=teach-count]').dataset.count === '1'")
    out = {"head_cold": fine_tune_seconds(page, False)}
    use_pretrained(page)
    out["head_warm"] = fine_tune_seconds(page, False)
    use_pretrained(page)
    out["whole_network"] = fine_tune_seconds(page, True)
    use_pretrained(page)
    wait_ready(page)
    return out
