"""The example banking assistant that shows every rasa_secure feature."""
