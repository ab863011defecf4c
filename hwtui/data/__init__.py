"""The Textual-free core: models, storage, services, catalog and demo data.

Nothing under this package may import Textual; `tests/test_layers.py` checks it.
"""
