"""``violeta bench load``: Locust against the production server on loopback (``bench.py``)."""
