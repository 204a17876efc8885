"""The pipeline core: a workspace of library and recipes, planning a deck, building and merging decks."""
