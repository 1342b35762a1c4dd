"""A real SMTP server for crates/notify/tests/smtp.rs (aiosmtpd, see requirements-test.txt).

Listens on 127.0.0.1 (port 0 = any free port), prints `PORT <n>` on stdout once it accepts
connections, then one JSON line per received message, flushed:
    {"mail_from": ..., "rcpt_tos": [...], "data": <raw message>, "authenticated": bool,
     "from": ..., "to": ..., "subject": ..., "body": ...}
where the last four are decoded by Python's own `email` package (MIME words, transfer encoding,
charset), an independent check of what lettre wrote.

With --user/--password it advertises AUTH PLAIN and LOGIN without TLS and refuses mail from
clients that did not log in. It never offers STARTTLS. It exits when stdin closes, so it cannot
outlive the test that started it.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import threading
import warnings
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", errors="replace"),
            "authenticated": bool(session.authenticated),
        }
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        record.update(
            {
                "from": str(message["from"]),
                "to": str(message["to"]),
                "subject": str(message["subject"]),
                "body": message.get_content(),
            }
        )
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        return "250 Message accepted"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def exit_when_stdin_closes():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    # Plain AUTH is deliberate here (credentials over loopback in tests): keep stderr quiet.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    options = {}
    if args.user is not None:
        options = dict(
            authenticator=authenticator(args.user, args.password or ""),
            auth_required=True,
            auth_require_tls=False,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Sink(), hostname="sink.test", **options), host="127.0.0.1", port=args.port
    )
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
