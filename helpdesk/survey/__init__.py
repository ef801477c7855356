"""The satisfaction survey (FLOW-5): one signed link per closed case, answered once."""
