"""Keeping the articles in sync with the clinic's WordPress site."""
