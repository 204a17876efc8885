"""Running many builds safely: batch, incremental rebuild, watch, the manifest, the lock and executors."""
