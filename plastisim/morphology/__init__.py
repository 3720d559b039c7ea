"""Compartment trees (not implemented yet: planned for the multi-compartment models, spec section 7)."""
