"""Redaction: turning findings into placeholders, tokens or ciphertext, failing safe."""
