"""The tamper-evident audit log: every state-changing action, hash-chained."""
