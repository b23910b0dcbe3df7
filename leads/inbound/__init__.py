"""Patient replies coming back: the signed Reply-To address, `flask mail receive`, matching, attachments."""
