"""Build and developer tooling for the pynet site.

Run its modules from the repository root as ``python -m build.<module>``
(``build.dev`` sets everything up). The package shares its name with PyPA's
``build``; the pynet wheel is therefore built in a temporary copy of the
project (see ``build_site.build_pynet_wheel``), where only PyPA's is found.
"""
