"""Delivery: building the MIME message, then SMTP (one connection per batch) or `.eml` files.

Errors are sorted into temporary (try again later) and permanent (give up, keep the reason).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.charset import QP, Charset
from email.errors import MessageError
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from typing import Protocol

import idna
from flask import current_app

from leads.mail.render import Rendered, one_line


class TemporaryFailure(Exception):
    """Worth trying again later: the server or the network is having a moment."""


class PermanentFailure(Exception):
    """Trying again will not help: the server rejected the message or the address."""


def sender_address() -> Address:
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    username, _, domain = address.partition("@")
    return Address(display_name=one_line(name), username=username, domain=domain or "localhost")


def message_id_for(email_id: int, idempotency_key: str) -> str:
    """Derived from the row only, so a re-send after a crash carries the same Message-ID."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    return f"<email-{email_id}.{digest}@{sender_address().domain}>"


def _ascii_domain(domain: str) -> str:
    """An internationalized domain in its ASCII (punycode) form: the header and the SMTP
    envelope then need no SMTPUTF8, which most servers (and Python's header encoder) lack."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise PermanentFailure("invalid recipient address: bad domain") from None


def recipient_address(rendered: Rendered) -> Address:
    """The To address; the display name is flattened to one line so it can never start a header."""
    local, _, domain = rendered.to_address.strip().rpartition("@")
    try:
        return Address(display_name=one_line(rendered.to_name), addr_spec=f"{local}@{_ascii_domain(domain)}")
    except (ValueError, IndexError, MessageError) as error:
        # MessageError: the parser's HeaderParseError (e.g. "a@b@c") is not a ValueError.
        raise PermanentFailure(f"invalid recipient address: {type(error).__name__}") from None


# Quoted-printable bodies: 7-bit and short lines for any server, and an .eml file stays readable.
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP


def _header(value: str) -> str | Header:
    """A header value as written: plain ASCII as is, anything else RFC 2047-encoded in UTF-8."""
    return value if value.isascii() else Header(value, "utf-8")


def _formatted(address: Address) -> str:
    return formataddr((address.display_name, address.addr_spec), charset="utf-8")


def build_message(rendered: Rendered, message_id: str) -> Message:
    """The MIME message, built with the email package's compat32 classes: the same message as
    EmailMessage would build, in about a third of the CPU (its header registry parses every
    header it is given, then folds it again to write it: most of a worker's time per email).
    Addresses are still parsed and checked with `Address`; names and subject are one line."""
    body: Message = MIMEMultipart("alternative")
    body.attach(MIMEText(rendered.text, "plain", UTF8))
    body.attach(MIMEText(rendered.html, "html", UTF8))
    message = body
    if rendered.calendar is not None:
        message = MIMEMultipart("mixed")
        message.attach(body)
        invite = MIMEText(rendered.calendar.decode("utf-8"), "calendar", UTF8)
        invite.set_param("method", rendered.calendar_method)
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(invite)
    message["From"] = _formatted(sender_address())
    message["To"] = _formatted(recipient_address(rendered))
    message["Subject"] = _header(one_line(rendered.subject))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    if rendered.reply_to:
        message["Reply-To"] = one_line(rendered.reply_to)
    if rendered.unsubscribe_url:
        # RFC 8058: mail providers POST to this URL with no cookie; the page accepts that.
        message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # RFC 3282: the language of the body (the inquiry's article's, for patients).
    message["Content-Language"] = rendered.language
    return message


def eml_path(email_id: int) -> Path:
    """Where the `.eml` copy of row `email_id` lives (a re-send overwrites it)."""
    return Path(current_app.config["MAIL_OUTBOX_DIR"]) / f"email-{email_id}.eml"


class Transport(Protocol):
    def send(self, email_id: int, message: Message) -> None: ...

    def close(self) -> None: ...


class EmlTransport:
    """No mail server configured: each message becomes a private `.eml` file."""

    def send(self, email_id: int, message: Message) -> None:
        path = eml_path(email_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file 0600; the rename makes the final file appear whole.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".email-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        pass


def _classify(error: smtplib.SMTPResponseException) -> Exception:
    reason = f"SMTP {error.smtp_code}: {_text(error.smtp_error)}"
    if 400 <= error.smtp_code < 500:
        return TemporaryFailure(reason)
    return PermanentFailure(reason)


def _text(value: bytes | str) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return one_line(text)[:300]


class SmtpTransport:
    """One SMTP connection, opened on the first message and reused for the rest of the batch."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        if config["MAIL_USE_SSL"]:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                config["MAIL_SERVER"],
                config["MAIL_PORT"],
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return connection

    def send(self, email_id: int, message: Message) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            reason = "; ".join(f"SMTP {code}: {_text(text)}" for code, text in error.recipients.values())
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {reason}") from None
            raise TemporaryFailure(f"recipient deferred: {reason}") from None
        except smtplib.SMTPAuthenticationError as error:
            # Our credentials, not this message: worth retrying once an operator fixes them.
            self.close()
            raise TemporaryFailure(f"SMTP login failed ({error.smtp_code})") from None
        except smtplib.SMTPResponseException as error:
            if error.smtp_code in (421, -1):
                self.close()
            raise _classify(error) from None
        except (smtplib.SMTPException, OSError) as error:
            # Disconnects, refused connections, timeouts, TLS trouble: the connection is gone.
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {_text(str(error))}") from None
        if refused:
            raise PermanentFailure(f"recipient refused: {_text(str(refused))}")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


@contextmanager
def open_transport() -> Iterator[Transport]:
    """SMTP when MAIL_SERVER is set, `.eml` files otherwise; closed on exit."""
    transport: Transport = SmtpTransport() if current_app.config["MAIL_SERVER"] else EmlTransport()
    try:
        yield transport
    finally:
        transport.close()
