"""Review: examiners' decisions on stored files, their propagation, the unit's local set."""
