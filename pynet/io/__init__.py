"""Model files.

``model_file.py`` is the ``.npz`` format: ``save_model`` / ``model_to_bytes``
write a model (and optionally its optimiser's state and a run's metadata);
``load_model`` reads one back as a ``LoadedModel``, refusing what a caller's
``Requirements`` rule out. ``untrusted.py`` reads a file nobody vouches for
(the page loads whatever a person picks): the size and entry budget, the zip's
and each ``.npy`` entry's structure, strict JSON, allowed dtypes and shapes,
no pickled objects; every refusal is a ``ModelFormatError`` saying why.
"""
