"""Rasa input channels (Rasa server side): ``SecureRestInput``."""
