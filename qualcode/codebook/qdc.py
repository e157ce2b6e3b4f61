"""REFI-QDA codebook (.qdc) exchange for codebooks; implemented in :mod:`qualcode.exchange.qdc`."""
from ..exchange.description import pack_description, unpack_description
from ..exchange.qdc import QdcExport, QdcReport, export_qdc, import_qdc, read_qdc

__all__ = ["export_qdc", "import_qdc", "read_qdc", "QdcExport", "QdcReport", "pack_description",
           "unpack_description"]
