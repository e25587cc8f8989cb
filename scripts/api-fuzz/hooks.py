"""Schemathesis hooks for the Quayside agency server: how the CBOR and photo-chunk bodies the
API description defines go on the wire (schemathesis knows JSON, not these)."""

import base64

import cbor2
import schemathesis

# Fields the description calls `Bytes`: CBOR byte strings, generated as text.
BYTE_FIELDS = {"changes", "snapshot", "message", "state"}


def _raw(value):
    """Binary test data as bytes, whatever wrapper it comes in."""
    data = getattr(value, "data", value)
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    return data


def _to_wire(value, key=None):
    if key in BYTE_FIELDS:
        if isinstance(value, str):
            return value.encode("utf-8", "surrogatepass")
        if isinstance(value, list):
            return [v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v for v in value]
        return value
    if isinstance(value, dict):
        return {k: _to_wire(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


@schemathesis.serializer("application/cbor")
def cbor_body(ctx, value):
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "data"):
        return _raw(value)
    return cbor2.dumps(_to_wire(value))


@schemathesis.serializer("application/offset+octet-stream")
def chunk_body(ctx, value):
    return _raw(value)


def _from_wire(value):
    """A decoded CBOR answer as JSON-like data: byte strings become base64 text."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    return value


@schemathesis.deserializer("application/cbor")
def cbor_response(ctx, response):
    return _from_wire(cbor2.loads(response.content))
