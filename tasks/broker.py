"""The server-less broker: kombu's SQLAlchemy transport on SQLite, polled more often.

kombu's virtual transports poll an empty queue once a second and hand every transport
option to `create_engine()`, so the interval can only be changed on the class.
"""

from kombu.transport.sqlalchemy import Transport

PREFIX = "sqla+"


class SQLiteTransport(Transport):
    # Once a second caps a worker at about `concurrency` emails per second; SQLite polls cheaply.
    polling_interval = 0.2
