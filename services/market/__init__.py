"""Market worker: the broker's realtime hubs, REST snapshots, contract cache, quote conflation."""
