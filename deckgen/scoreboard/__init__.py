"""The scoreboard: a log of every deck built, CRM outcomes linked to those decks, and the report over both."""
