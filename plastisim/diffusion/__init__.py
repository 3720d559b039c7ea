"""Diffusion on the nodes of a domain: neutral species (calcium, plasticity-related proteins)
in compartments and spine heads (:class:`Species`). Volume (extracellular) diffusion and
stochastic reaction-diffusion come later (spec sections 7 and the STEPS spec)."""
from .species import Species, diffusion_step

__all__ = ["Species", "diffusion_step"]
