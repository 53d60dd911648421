"""The source layer, source text -> normalized text: reading the reports (:mod:`.normalize`: pinyin
stripped, OpenCC to simplified script, corrections, sentences) and the registry of
source documents (:mod:`.sources`). Knows nothing of RDF stores or queries."""
