"""The evaluation questionnaire and unsubscribe pages reached from emailed, signed links."""
