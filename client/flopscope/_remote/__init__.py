"""The client's machinery: protocol, connection, proxies and the generated surface.

Nothing here imports NumPy. The public modules (``flopscope``,
``flopscope.numpy``...) are thin: each asks :mod:`flopscope._remote.surface`
for its names, which come from the manifest the server sends when the
client connects.
"""
