"""Numba kernels (``*_nb.py``) and their NumPy twins (``reference.py``).

Kernels take float64/int64 C-contiguous arrays and scalars, never draw random numbers and
return plain arrays or ``(result, status)`` pairs; the calling module turns a status into an
exception. Every kernel ``f_nb`` has a NumPy twin ``f_np`` in ``reference.py`` with the same
signature, and ``tests/unit/test_kernels.py`` checks that each has one and that they agree.
"""
