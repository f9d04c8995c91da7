"""The explainer service: decisions in, explanations out (see credit.explain for the work)."""
