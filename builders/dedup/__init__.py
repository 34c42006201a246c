"""Duplicates: the per-record features (worker side, numpy only), MinHash and LSH, and the finder that
resolves clusters and marks every record (main side)."""
