"""S3-compatible object storage (SeaweedFS locally, Cloudflare R2 in production) via boto3.

Services see it through `ObjectStore`, the calls they make, and never import boto3 or
botocore: what "storage failed" means to them is `OBJECT_STORE_ERRORS`.
"""

from __future__ import annotations

from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from learning_app.adapters.kept_clients import KeptClients
from learning_app.settings import get_settings, required

# Unreachable, timed out, or refused by the server (missing bucket, bad credentials).
OBJECT_STORE_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ClientError)


class ObjectStore(Protocol):
    """The S3 calls the app makes (boto3's names, which are its keyword arguments too)."""

    def upload_file(
        self, Filename: str, Bucket: str, Key: str, ExtraArgs: dict[str, Any] | None = None
    ) -> None: ...
    def download_file(self, Bucket: str, Key: str, Filename: str) -> None: ...
    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        """`ContentLength`, and `Body`, whose `iter_chunks(size)` reads the bytes as they come."""
        ...

    def head_bucket(self, *, Bucket: str) -> dict[str, Any]: ...
    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]: ...
    def list_objects_v2(self, **kwargs: Any) -> dict[str, Any]:
        """`Bucket`, `Prefix`, `ContinuationToken`: up to 1,000 `Contents` (each `Key` and
        `LastModified`), with `NextContinuationToken` while more follow."""
        ...


def _new_client(endpoint: str, key_id: str, secret: str, region: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        region_name=region,
        config=Config(
            signature_version="s3v4",
            connect_timeout=3,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
            # R2 and SeaweedFS both want path-style addressing for custom endpoints.
            s3={"addressing_style": "path"},
        ),
    )


_clients: KeptClients[Any] = KeptClients(_new_client, lambda client: client.close())


def close_s3_clients() -> None:
    """Close the clients' connection pools (a process that stops); used again, new clients
    are made."""
    _clients.close_all()


def get_s3() -> ObjectStore:
    s = get_settings()
    endpoint = required(s.s3_endpoint_url, "S3_ENDPOINT_URL")
    # boto3 builds its client classes at run time: there are no types to check the port against.
    return _clients.get(endpoint, s.s3_access_key_id, s.s3_secret_access_key, s.s3_region)
