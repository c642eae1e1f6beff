"""Taking a run out of pynet: a Jupyter notebook that trains it again."""
