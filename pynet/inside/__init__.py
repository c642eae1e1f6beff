"""Looking inside the network: explaining a prediction (``explain.py``) and
stepping through one training step (``step_through.py``)."""
