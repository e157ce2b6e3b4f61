"""qualcode — qualitative analysis of Norwegian interview transcripts.

Stages (one sub-package each, data flows one way)::

    importers → vault → anonymise → store → codebook/coding → aggregate → exchange

Start with :class:`qualcode.project.Project`.
"""
__version__ = "0.1.0"
