"""Writing a build: the split shards, and the atomic publication of the dataset folder."""
