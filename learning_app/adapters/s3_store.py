"""S3-compatible object storage (SeaweedFS locally, Cloudflare R2 in production) via boto3."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from learning_app.settings import get_settings, required


@functools.cache
def _client_for(endpoint: str, key_id: str, secret: str, region: str) -> Any:
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


def get_s3() -> Any:
    s = get_settings()
    endpoint = required(s.s3_endpoint_url, "S3_ENDPOINT_URL")
    return _client_for(endpoint, s.s3_access_key_id, s.s3_secret_access_key, s.s3_region)
