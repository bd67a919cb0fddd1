"""Rasa input channels that authenticate every request (Rasa server side)."""
