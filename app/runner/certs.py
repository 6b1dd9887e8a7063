"""Throwaway certificates for the TLS exercises: a CA and a server certificate it signed, made at run time.

Nothing here is ever committed or trusted outside a run: each looplab process makes its own CA the first time
an exercise with a `[tls]` table runs, and writes `ca.pem`, `cert.pem` and `key.pem` beside the program (see
app.course.model.TlsFiles). Keys are EC P-256: quick to make, and accepted by OpenSSL 3.0 (Node 20) and 3.5
(Node 24) alike. `cryptography` is imported only here, so an exercise without TLS never pays for it.
"""

from __future__ import annotations

import datetime
import ipaddress
import threading
from typing import TYPE_CHECKING

from app.course.model import TLS_FILE_NAMES, Exercise, Fixture, TlsFiles

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

CA_NAME = "looplab throwaway CA"
VALID_BEFORE = datetime.timedelta(hours=1)  # a clock a little behind ours still accepts it
VALID_FOR = datetime.timedelta(days=825)  # a workspace copy made today still works when the learner comes back

_lock = threading.Lock()  # the app makes runs from worker threads
_authority: tuple[EllipticCurvePrivateKey, bytes, object] | None = None  # key, PEM, certificate
_made: dict[TlsFiles, tuple[Fixture, ...]] = {}


def fixtures_for(exercise: Exercise) -> tuple[Fixture, ...]:
    """Every file written beside the exercise's program: its own fixtures, then any certificates it asks for."""
    if exercise.tls is None:
        return exercise.fixtures
    return exercise.fixtures + tls_files(exercise.tls)


def fixture_names(exercise: Exercise) -> tuple[str, ...]:
    """The names of those files, without making any certificate."""
    return tuple(f.path for f in exercise.fixtures) + (TLS_FILE_NAMES if exercise.tls else ())


def tls_files(spec: TlsFiles) -> tuple[Fixture, ...]:
    """ca.pem, cert.pem and key.pem for `spec`, made once per looplab process."""
    with _lock:
        if spec not in _made:
            _made[spec] = _make(spec)
        return _made[spec]


def _make(spec: TlsFiles) -> tuple[Fixture, ...]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    global _authority
    now = datetime.datetime.now(datetime.UTC)
    if _authority is None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - VALID_BEFORE)
            .not_valid_after(now + VALID_FOR)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_usage(x509), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _authority = (ca_key, ca.public_bytes(serialization.Encoding.PEM), ca)
    ca_key, ca_pem, ca_cert = _authority

    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name)]))
        .issuer_name(ca_cert.subject)  # type: ignore[attr-defined]
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - VALID_BEFORE)
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if spec.hosts:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_san(x509, h) for h in spec.hosts]), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    contents = (ca_pem, cert.public_bytes(serialization.Encoding.PEM), key_pem)
    return tuple(Fixture(name, data) for name, data in zip(TLS_FILE_NAMES, contents, strict=True))


def _ca_usage(x509):  # type: ignore[no-untyped-def]
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _san(x509, host: str):  # type: ignore[no-untyped-def]
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)
