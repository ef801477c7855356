"""The knowledge base and self-service (issue 14, KB-1..KB-3): categories, articles in German
and English, their search, and the suggestions shown while a customer writes a case."""
