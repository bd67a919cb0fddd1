"""Rasa 3.6 NLU GraphComponents (Rasa server side; imports ``rasa``)."""
