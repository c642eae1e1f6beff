"""Training: the loop (``trainer.py``) and its books (``progress.py``: where
a run stands, running figures, divergence, validation), the learning-rate
schedules (``schedule.py``), augmentation, metrics and calibration, the
arithmetic of data parallelism (``data_parallel.py``), passes done a chunk at
a time for the browser's time slices (``time_slices.py``) and a run's
training record (``record.py``).
"""
