"""Rendering a batch of listings into a channel's messages, one module per channel."""
