"""Model files: saving and loading a model (``model_file.py``)."""
