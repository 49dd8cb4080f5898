"""ZeroMQ helpers: sockets, numbered publishing, gap-detecting subscribing, Lazy Pirate RPC, reply serving."""
