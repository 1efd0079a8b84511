"""Text from strangers: decoding, addresses and names.

The lowest layer with knowledge of mail: sources parse with it, identity compares
with it, and it imports neither.
"""
