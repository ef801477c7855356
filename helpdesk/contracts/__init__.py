"""Contracts, the data-processing agreement (AVV) and the organisation's documents (DOC-1,
DOC-2, issue 15)."""
