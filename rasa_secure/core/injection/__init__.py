"""Injection screening: normalisation variants, rules, the n-gram model and the semantic stage."""
