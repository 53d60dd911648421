"""The data layer (issue 17 layout): curated data + ontology -> the built dataset."""
