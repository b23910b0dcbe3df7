"""Coordinators writing to patients from the lead page: compose, saved replies, the thread."""
