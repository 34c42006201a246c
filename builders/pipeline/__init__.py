"""From raw file to record: discover the raw tree, read and decode a file, its front matter, dates and URLs,
the per-file step (one file -> record + dedup features, or a rejection) and the worker pool that runs it.
Worker side: no datasets, pandera, polars, pyarrow, datasketch or matplotlib."""
