"""Person linkage: the match model (trained with Splink), the online candidate index, the
review queue with merge and unmerge, households, and batch linkage of CSV files."""
