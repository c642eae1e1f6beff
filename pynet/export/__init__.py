"""Taking a run or a model out of pynet: a Jupyter notebook that trains it
again (``notebook.py``), and the model as ONNX (``onnx_graph.py`` describes
the graph in pure NumPy, ``onnx_file.py`` writes it with the optional ``onnx``
package)."""
