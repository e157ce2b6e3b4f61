"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks in and out (see docs/refi-qda.md)."""
from .description import pack_description, unpack_description
from .qdc import QdcExport, QdcReport, export_qdc, import_qdc, read_qdc
from .qdpx_export import ExportReport, export_qdpx
from .qdpx_import import QdpxImportReport, import_qdpx
from .remap import HeldReport, apply_held_codings

__all__ = ["export_qdpx", "ExportReport", "import_qdpx", "QdpxImportReport", "export_qdc", "import_qdc",
           "read_qdc", "QdcExport", "QdcReport", "pack_description", "unpack_description", "apply_held_codings",
           "HeldReport"]
