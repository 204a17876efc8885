"""What marketing uses to keep the message map healthy: check, text fit, usage, coverage, search, catalog."""
