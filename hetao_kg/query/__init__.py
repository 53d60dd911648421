"""The query layer: the facade over any store (:mod:`.api`: SPARQL with safe bindings,
labels in three languages, name resolution), the named queries (:mod:`.queries`,
``queries/*.rq``), results (:mod:`.results`), search (:mod:`.search`), citations
(:mod:`.cite`) and statistics (:mod:`.stats`). Speaks to :mod:`hetao_kg.store` only
through the :class:`~hetao_kg.store.Store` protocol; the layers above (network, views,
web, CLI) take a :class:`~hetao_kg.query.api.KnowledgeGraph` as an argument."""
