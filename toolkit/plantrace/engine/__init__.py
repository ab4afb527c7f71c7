"""Engine layer: where per-document work runs (serial, local processes, Dask), the
processed-corpus store and its document encoding, the typed result cache, and loading
a collection of documents."""
