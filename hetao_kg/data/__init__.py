"""The data layer, curated data + ontology -> built dataset: parse the TriG/Turtle files and
merge them (:mod:`.graph`), add the derived graphs (sentence nodes, zh-Hant labels) and
the RDFS/OWL RL entailments (:mod:`.inference`; :mod:`.derived` computes the same next to
Oxigraph), check the data (:mod:`.validate`) and write it out (:mod:`.export`).
Uses :mod:`hetao_kg.source`; never queries a store."""
