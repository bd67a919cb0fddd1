"""Action-server side: rasa-sdk handlers. Imports ``rasa_sdk``, never ``rasa`` or TensorFlow."""
