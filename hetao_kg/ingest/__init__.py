"""A curation assistant for the next report: `hetao-kg ingest` proposes facts with
their quotes into a review folder, and `hetao-kg review` turns accepted proposals into
curated, validated TriG.

>>> from hetao_kg.ingest import clauses
>>> clauses("深港联合办公室投入使用,黄大年茶思屋正式运营。")
[(0, 11), (12, 22)]
"""

from .extract import Extractor, Proposal, clauses
from .lexicon import Lexicon, build_lexicon
from .pipeline import IngestResult, SourceMeta, ingest_file, lexicon_for
from .reading import IngestError

__all__ = ["Extractor", "IngestError", "IngestResult", "Lexicon", "Proposal", "SourceMeta", "build_lexicon",
           "clauses", "ingest_file", "lexicon_for"]
