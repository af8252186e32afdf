"""Helpers for tests against a real Mosquitto: a publisher/recorder client and a broker of one's own."""

from __future__ import annotations

import datetime as dt
import getpass
import ipaddress
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.enums import CallbackAPIVersion

from stockade.connectors.broker import Message, MqttSession
from stockade.node.connectors import Connectors
from stockade.node.runtime import Node
from tests.serve import free_port as free_port  # one place picks free ports; re-exported for the MQTT tests


def unique_prefix() -> str:
    return f"stk-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def prefix() -> str:
    """A topic prefix of the test's own on the shared Mosquitto (import the fixture into the test module)."""
    return unique_prefix()


def sends_at_once(session: MqttSession) -> bool:
    """Whether the session's socket has Nagle's algorithm off (``TCP_NODELAY``)."""
    sock = session.client.socket()
    assert isinstance(sock, socket.socket)
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def started(node: Node) -> Connectors:
    """The node's connectors started, each MQTT session connected and subscribed."""
    c = node.connectors
    c.start()
    for conn in (c.mqtt, c.frigate):
        if conn is not None:
            assert conn.session.wait_connected(10), conn.health.snapshot()
    assert c.mqtt is not None or c.frigate is not None, "no MQTT connector is configured"
    return c


class Client:
    """A plain MQTT 5 client that records what it receives."""

    def __init__(self, port: int = 1883, client_id: str | None = None, clean: bool = True) -> None:
        self.received: list[Message] = []
        self.cond = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or uuid.uuid4().hex,
                                  protocol=mqtt.MQTTv5)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(100)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 1)
        self.client.connect(  # paho wants clean_start for v5
            "127.0.0.1", port, 30, clean_start=clean)
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: object, message: Message) -> None:
        with self.cond:
            self.received.append(message)
            self.cond.notify_all()

    def subscribe(self, topic: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *a: done.set()
        self.client.subscribe(topic, qos=1)
        assert done.wait(5), f"could not subscribe to {topic}"

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=qos, retain=retain)

    def wait_for(self, pred: Callable[[list[Message]], bool], timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: pred(self.received), timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the CA's certificate (what a client trusts)
    cert: Path  # the broker's certificate, for 127.0.0.1 and localhost, signed by the CA
    key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_tls(workdir: Path, name: str = "test") -> TlsFiles:
    """A CA of the test's own and a broker certificate it signed (EC P-256, valid for a day)."""
    workdir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name(f"{name} CA")).issuer_name(_name(f"{name} CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = TlsFiles(workdir / f"{name}-ca.pem", workdir / f"{name}-server.pem", workdir / f"{name}-server.key")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return files


class Broker:
    """A Mosquitto of the test's own on a free port, with persistence, that can be stopped and restarted."""

    def __init__(self, workdir: Path, users: dict[str, str] | None = None, tls: TlsFiles | None = None) -> None:
        self.port = free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.conf = workdir / "mosquitto.conf"
        auth = "allow_anonymous true\n"
        if users:
            passwd = workdir / "passwd"
            passwd.write_text("")
            for user, password in users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True)
            auth = f"allow_anonymous false\npassword_file {passwd}\n"
        certs = (f"cafile {tls.ca}\ncertfile {tls.cert}\nkeyfile {tls.key}\ntls_version tlsv1.2\n"
                 if tls is not None else "")
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n{certs}{auth}persistence true\n"
            f"persistence_location {workdir}/\nautosave_interval 1\nautosave_on_changes true\n"
            f"max_queued_messages 0\nset_tcp_nodelay true\n"  # as docs/connectors.md advises a deployment
            f"user {getpass.getuser()}\n"  # root would drop to 'mosquitto' and not save
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
