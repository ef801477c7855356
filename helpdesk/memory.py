"""A process's memory: large blocks go back to the system when they are freed.

glibc's malloc maps a block of 128 KiB or more on its own and unmaps it when freed, but the
first such block freed raises that threshold to its own size (up to 32 MiB): from then on
blocks of that size come from the heap and stay in the process after they are freed. A web
worker's first password check freed argon2's block (19 MiB then) that way, so every later
check took its memory from the heap and the worker kept it, about 20 MB more for the rest of
its life (issue 19: a worker's peak under 100 MB). Setting the threshold fixes it at glibc's
default.
"""

import ctypes
import ctypes.util

#: ``mallopt``'s parameter number for the threshold (glibc's ``M_MMAP_THRESHOLD``).
_M_MMAP_THRESHOLD = -3
_DEFAULT_THRESHOLD = 128 * 1024


def return_large_blocks() -> bool:
    """Keep glibc's threshold for mapped blocks where it starts; False where there is no
    glibc (musl, macOS): their allocators return large blocks anyway."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    if mallopt is None:
        return False
    return mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD) == 1
