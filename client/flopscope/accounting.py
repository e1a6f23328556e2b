"""``flops.accounting``: cost queries answered by the server, without executing anything.

``flops.accounting.einsum_cost('ij,jk->ik', shapes=[(256, 256), (256, 256)])``
returns the same number as in-process; nothing is charged. The functions
offered are the server's (every public ``*_cost`` query of its library).
"""

from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("flopscope.accounting", "flopscope.accounting", globals())
