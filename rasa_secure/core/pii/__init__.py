"""PII detection: recognizers, Presidio's predefined recognizers and spaCy NER."""
