"""The query layer (issue 17 layout): named queries, helpers over them."""
