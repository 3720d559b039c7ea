"""Cable, particle and volume diffusion (not implemented yet: spec sections 4 and 7)."""
