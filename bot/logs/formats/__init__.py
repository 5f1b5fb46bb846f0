"""One module per log format family; each answers claims() and feed()."""
