"""``nn.save`` / ``nn.load`` / ``nn.SerializationError``: the safe ``.npz`` format of
``autograd.serialization`` (also ``ag.save`` / ``ag.load``), re-exported under the
names nn has always had. See that module for the format."""
from autograd.serialization import SerializationError, load, save

__all__ = ["save", "load", "SerializationError"]
