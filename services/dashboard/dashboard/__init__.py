"""The relationship managers' dashboard (Panel): client files, comparisons, simulation, live
feed."""
