"""Explanations of decisions: exact contributions in probability points, grouped, in words.

Modules: contributions (TreeSHAP -> probability points), dictionary (groups, labels, units),
reference (where a client's value leans among the reference clients), reasons and summary
(sentences), wording (numbers and units), explanation (the Explainer).
Import what you need from them: importing the package itself stays free.
"""
