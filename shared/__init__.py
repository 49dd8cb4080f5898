"""Code that more than one riskd process imports: messages, codec, bus, config, clock."""
