"""Identity: tokens, the identity envelope, keys, the access policy, typed values and audit."""
