"""Who the clinic is: name, postal address, phone and privacy notice, on every page and email."""
