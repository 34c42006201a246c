"""The shared vocabulary every room imports: dataset facts, ids and splits, configs, quarantine reasons, the
build summary. Plain Python only: nothing here pulls datasets, pandera, polars, pyarrow or matplotlib."""
