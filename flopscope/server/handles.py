"""A session's table of server-side objects that its client refers to by handle.

Arrays, random generators, budget contexts and other results stay on the
server; the client receives a small integer *handle* for each. Handles are
private to a session (another session's handle 5 is a different object, or
nothing) and never reused within it.

Release is by *issue count*, which makes it race-free: every time a handle
is sent to the client the table counts one issue; the client's proxy counts
how many times it received the handle and, when garbage-collected, returns
that many. The object is dropped when every issue has been returned, so a
handle sent again while an older proxy's release is still in flight stays
valid.

The table also counts the bytes of array memory the session holds
(:attr:`HandleTable.held_bytes`): each array is charged for the memory that
owns its data, once however many views of it the session holds, so the
server can bound what one session keeps alive.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import numpy as np

from flopscope.server.protocol import ProtocolError

__all__ = ["HandleTable", "HandleLimitError"]


class HandleLimitError(ProtocolError):
    """A session holds as many objects as the server allows."""


class HandleTable:
    """Objects held for one session, by handle.

    Parameters
    ----------
    limit:
        Most objects the session may hold at once.
    """

    __slots__ = (
        "_objects",
        "_issued",
        "_by_identity",
        "_next",
        "_limit",
        "peak",
        "_owners",
        "held_bytes",
        "peak_bytes",
    )

    def __init__(self, limit: int) -> None:
        self._objects: dict[int, Any] = {}
        self._issued: dict[int, int] = {}
        self._by_identity: dict[int, int] = {}
        self._next = count(1).__next__
        self._limit = limit
        self.peak = 0
        # id(memory owner) -> [arrays held on it, its bytes, the owner (kept alive)]
        self._owners: dict[int, list] = {}
        self.held_bytes = 0
        self.peak_bytes = 0

    def __len__(self) -> int:
        return len(self._objects)

    def resolve(self, handle: int) -> Any:
        """The object behind ``handle``; :class:`ProtocolError` if this session holds none."""
        try:
            return self._objects[handle]
        except (KeyError, TypeError):
            raise ProtocolError(f"this session holds no object with handle {handle!r}") from None

    def issue(self, obj: Any) -> int:
        """The handle of ``obj`` (its existing one if already held), counted as sent once more."""
        handle = self._by_identity.get(id(obj))
        if handle is None:
            if len(self._objects) >= self._limit:
                raise HandleLimitError(
                    f"this session holds {len(self._objects):,} objects, the server's limit; "
                    "drop references to arrays you no longer need"
                )
            handle = self._next()
            self._objects[handle] = obj
            self._by_identity[id(obj)] = handle
            self._issued[handle] = 0
            self.peak = max(self.peak, len(self._objects))
            if isinstance(obj, np.ndarray):
                self._hold(obj)
        self._issued[handle] += 1
        return handle

    def release(self, handle: int, returned: int) -> Any | None:
        """Return ``returned`` issues of ``handle``; the object if that was the last, else None.

        Releasing a handle the session does not hold is ignored: a release may
        race with the end of the object's life on the server side.
        """
        issued = self._issued.get(handle)
        if issued is None:
            return None
        issued -= returned
        if issued > 0:
            self._issued[handle] = issued
            return None
        obj = self._objects.pop(handle)
        del self._issued[handle]
        del self._by_identity[id(obj)]
        if isinstance(obj, np.ndarray):
            self._unhold(obj)
        return obj

    def bytes_of(self, array: np.ndarray) -> int:
        """Bytes ``array`` would add to :attr:`held_bytes` (0 if its memory is held already)."""
        owner = memory_owner(array)
        return 0 if id(owner) in self._owners else owner_bytes(owner, array)

    def _hold(self, array: np.ndarray) -> None:
        owner = memory_owner(array)
        entry = self._owners.get(id(owner))
        if entry is None:
            size = owner_bytes(owner, array)
            self._owners[id(owner)] = [1, size, owner]
            self.held_bytes += size
            self.peak_bytes = max(self.peak_bytes, self.held_bytes)
        else:
            entry[0] += 1

    def _unhold(self, array: np.ndarray) -> None:
        key = id(memory_owner(array))
        entry = self._owners.get(key)
        if entry is None:  # pragma: no cover - every held array was counted
            return
        entry[0] -= 1
        if entry[0] == 0:
            self.held_bytes -= entry[1]
            del self._owners[key]

    def objects(self) -> list[Any]:
        """Every object held, in handle order."""
        return list(self._objects.values())

    def clear(self) -> None:
        """Drop every object."""
        self._objects.clear()
        self._issued.clear()
        self._by_identity.clear()
        self._owners.clear()
        self.held_bytes = 0


def memory_owner(array: np.ndarray) -> Any:
    """The object that owns ``array``'s memory: the root of its chain of ``base`` arrays."""
    owner: Any = array
    while isinstance(owner, np.ndarray) and owner.base is not None:
        owner = owner.base
    return owner


def owner_bytes(owner: Any, array: np.ndarray) -> int:
    """Bytes of memory ``owner`` holds (an array's ``nbytes``, else a buffer's length)."""
    if isinstance(owner, np.ndarray):
        return owner.nbytes
    try:
        return memoryview(owner).nbytes
    except TypeError:
        return array.nbytes
