"""Delbar: the shared database of innovative public procurement in Norway."""
