"""Training: the loop (``trainer.py``), its augmentation, metrics and
calibration, the arithmetic of data parallelism (``data_parallel.py``) and a
run's training record (``record.py``).
"""
