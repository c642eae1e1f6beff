"""The browser's door: what the page's Web Worker calls (``session.py``),
the request dispatcher, the long jobs it pumps in time slices, and the helper
workers of data parallelism (``team.py``). Plain values in and out, so it is
unit-tested on CPython.
"""
