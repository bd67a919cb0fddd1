"""One module per language: its vocabulary (a
:class:`~rasa_secure.core.injection.rules.language.Language`),
its examples and counterexamples, and the rules generated from them."""
