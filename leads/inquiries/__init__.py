"""Inquiries: the form beside each article and the durable store of each submission."""
