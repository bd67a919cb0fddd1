"""SQL injection: UNION SELECT, tautologies, stacked queries, blind timing, fingerprinting."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    SQL_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "sql.union_select",
        SQL_INJECTION,
        r"\bunion(?:[\s+(]|/\*.{0,40}?\*/|%20|%2b)+(?:(?:all|distinct)(?:[\s+(]|/\*.{0,40}?\*/|"
        r"%20)*)?select\b",
        Strength.STRONG,
        "union",
        "UNION SELECT",
        examples=(
            "0 UNION ALL SELECT card_number, cvv FROM cards--",
            "' UNION SELECT iban, balance FROM accounts --",
        ),
        counterexamples=(
            "O' UNION selected a few friends",
            "O'connors UNION selected a few friendsf from",
        ),
    ),
    define(
        "sql.tautology",
        SQL_INJECTION,
        r"['\"`)]\s*(?:or|and|\|\||&&|xor)\s*(?:\(\s*)?['\"`]?[\w@$]{1,20}['\"`]?\s*(?:=|<>|!=|"
        r">=?|<=?|\blike\b)\s*(?:\(\s*)?['\"`]?[\w@$]{0,20}|\b(?:or|and)\s+(?:true|false|"
        r"\d+\s*(?:=|<>|!=|>|<)\s*\d+|'[^']{0,10}'\s*=\s*'[^']{0,10}'|\"[^\"]{0,10}\"\s*=\s*"
        r"\"[^\"]{0,10}\"|[a-z]\s*=\s*[a-z])\s*(?:--|#|/\*|;|$|\)|')",
        Strength.HIGH,
        "' \" ` ) or",
        "quote-breaking tautology: ' OR '1'='1, or 1=1--",
        examples=("' OR 1=1--", "my iban is 123' OR '1'='1"),
        counterexamples=('necklace length 16" or 18"', "I said (not really) (& so on)"),
    ),
    define(
        "sql.numeric_tautology",
        SQL_INJECTION,
        r"\b(?:or|and|where|having|xor)\s+(?:\(\s*)?(\d+)\s*(?:=|<>|!=|<=?|>=?)\s*(?:\(\s*)?\d+\b|"
        r"['\"](?:\s*\))*\s*(?:or|and|\|\|)(?:\s*\()*\s*(?:''|\"\")|['\"](?:\s*\))*\s*(?:or|and)\s+"
        r"(?:['\"]?\d+"
        r"['\"]?\s*(?:=|--|#)|['\"]?\d+\s*$)|"
        r"['\"]\s*(?:=|<>)\s*(?:\d+\s*)?(?:--|#)|\blike\s+['\"]%['\"]|^\W*(?:and|or)\s+(?:\d+|true|"
        r"false)\W*$|\bcase\s+when\b.{0,80}\bthen\b|['\"]\s*\|\|\s*['\"\w]|/\*!\d*|/\*[^*]{0,20}"
        r"'[^*]{0,20}\*/|\b(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*(?:\s*,)?\s*(?:--|#|/\*|$)|"
        r"\bbackup\s+database\b|\bexec(?:ute)?\s+(?:sp_|xp_|master\.)|\bselect\s+[a-z_]+\("
        r"|;\s*%00",
        Strength.FIRM,
        "or and where having xor ' \" like case order group backup exec execute select /* ;",
        "numeric or quoted tautologies, CASE WHEN, string concatenation, version comments",
        examples=("x' or '1", "' OR 1=1--"),
        counterexamples=("Pay M&S; then pay Tesco", 'necklace length 16" or 18"'),
    ),
    define(
        "sql.quote_comment",
        SQL_INJECTION,
        r"['\"`](?:\s*\))*\s*(?:--(?![a-z])|#(?![\w{])|/\*|;\s*--|;\s*%00|%23|%2d%2d)|\b(?:admin|"
        r"root|user|administrator)['\"](?:\s*\))*\s*(?:--|#|/\*)",
        Strength.HIGH,
        "' \" `",
        "closes a string and comments out the rest: admin'--",
        examples=("admin'--", "x' OR 'a'='a' --"),
        counterexamples=(
            'necklace length 16" or 18"',
            "What's the setup fee for a business account?",
        ),
    ),
    define(
        "sql.stacked_query",
        SQL_INJECTION,
        r"[;'\")]\s*(?:;\s*)?(?:drop|delete|insert|update|truncate|alter|create|exec(?:ute)?|"
        r"shutdown|declare|grant|revoke|select|waitfor|merge|call)\s+(?:table\b|database\b|"
        r"from\b|into\b|\w+\s+set\b|@|\*|user\b|\w+\s*\(|master\b|xp_|sp_|delay\b|time\b|"
        r"connect\b|resource\b|all\b|\d|'|\w+\s+(?:from|where)\b)",
        Strength.FIRM,
        "; ' \" )",
        "stacked query after a statement terminator",
        examples=("Bob'; DROP TABLE customers; --", "1'; DROP TABLE payments; --"),
        counterexamples=(
            "I'm an admin for our company account, how do I grant access to my accountant?",
            "My street is called Rue du Commerce; the number is 12-14",
        ),
    ),
    define(
        "sql.ddl_dml",
        SQL_INJECTION,
        r"\bdrop\s+(?:table|database|schema|user|view)\b|\bdelete\s+from\s+\w+|\binsert\s+into"
        r"\s+\w+|\bupdate\s+\w+\s+set\s+\w+\s*=|\btruncate\s+table\b|\balter\s+table\b|"
        r"\bselect\s+(?:\*|[\w,.()@][\w,\s.()@]{0,79}?)\s+from\s+[\w.\[\]`\"]+\s*(?:where|;|--|#|limit|"
        r"order|$)|\bselect\s+\*\s+from\b|\bgrant\s+(?:all|select|insert|update|delete|execute|"
        r"dba|sysadmin|connect|resource|usage|alter|create|drop|references|role)\b[\w\s,.*]{0,60}?"
        r"\bto\s+\S",
        Strength.FIRM,
        "drop delete insert update truncate alter select grant",
        "SQL statements",
        examples=("x'; grant dba to scott;--", "Bob'; DROP TABLE customers; --"),
        counterexamples=(
            "My email is bob@corp.lan, please update it",
            "Select the account from which I should pay and drop the old card.",
        ),
    ),
    define(
        "sql.time_blind",
        SQL_INJECTION,
        r"\b(?:sleep|pg_sleep|benchmark|randomblob|dbms_lock\.sleep|dbms_pipe\.receive_message)"
        r"\s*\(|\bwaitfor\s+(?:delay|time)\s+'|\bwaitfor%20delay",
        Strength.STRONG,
        "sleep pg_sleep benchmark randomblob dbms_lock dbms_pipe waitfor",
        "time-based blind injection",
        examples=("1' AND SLEEP(5) AND '1'='1", "acct=5 AND SLEEP(10)"),
        counterexamples=(
            "Create a joke about a sleepwalking elephant.",
            "set an alarm to go to sleep and another to wake up",
        ),
    ),
    define(
        "sql.fingerprint",
        SQL_INJECTION,
        r"@@(?:version|datadir|hostname|servername)|\binformation_schema\b|\bsys(?:objects|"
        r"columns|tables|users)\b|\bpg_(?:catalog|user|shadow|tables)\b|\ball_tables\b|\buser_"
        r"tables\b|\bmysql\.user\b|\bxp_cmdshell\b|\bsp_executesql\b|\bload_file\s*\(|\binto\s+"
        r"(?:out|dump)file\b|\bextractvalue\s*\(|\bupdatexml\s*\(|\butl_(?:http|inaddr)\b|"
        r"\bsqlite_master\b|\bdbms_\w+|\bversion\s*\(\s*\)|\bdatabase\s*\(\s*\)|\bcurrent_user\b|"
        r"\bsession_user\b|\bschema_name\b|\btable_name\b|\bcolumn_name\b|\bconcat(?:_ws)?\s*\("
        r"\s*0x",
        Strength.HIGH,
        "@@ information_schema sysobjects syscolumns systables sysusers pg_catalog pg_user "
        "pg_shadow pg_tables all_tables user_tables mysql xp_cmdshell sp_executesql load_file "
        "into extractvalue updatexml utl_http utl_inaddr sqlite_master dbms_ version database "
        "current_user session_user schema_name table_name column_name concat concat_ws",
        "database fingerprinting and file access functions",
        examples=(
            "1; EXEC master..xp_cmdshell 'whoami';--",
            "Account 12345' AND 1=DBMS_PIPE.RECEIVE_MESSAGE('a',10)--",
        ),
        counterexamples=("The app says [System] error 500 when I log in", "System Solutions Ltd"),
    ),
    define(
        "sql.functions",
        SQL_INJECTION,
        r"\b(?:char|chr|nchar|ascii|substring|substr|mid|convert|cast|ord|hex|unhex|md5|"
        r"if|iif|coalesce|ifnull|nvl|having)\s*\(.{0,60}\)\s*(?:[=+|,)]|--|#|"
        r"/\*|\bfrom\b|\band\b|\bor\b)|\b(?:char|chr)\(\d+\)\s*(?:\+|\|\|)|\bnull\s*,\s*null\b|"
        r"\bgroup\s+by\s+[\w.]+\s+having\b|\border\s+by\s+\d+\s*(?:--|#|/\*|,|$)|\bhaving\s+1\s*="
        r"|\b(?:and|or)\s+\d+\s*=\s*(?:\(|convert|cast|char)",
        Strength.BLOCKING,
        "char chr nchar ascii substring substr mid convert cast ord hex unhex md5 user if iif "
        "case coalesce ifnull nvl count having null group order and or",
        "SQL function calls and clauses typical of injection",
        examples=(
            "me@bank.com' AND 1=(SELECT COUNT(*) FROM users) --",
            "Hi, my reference number is 4471' AND 1=(SELECT 1 FROM pg_sleep(10))-- thanks!",
        ),
        counterexamples=(
            'necklace length 16" or 18"',
            "I don't know if it's the debit or the credit card",
        ),
    ),
    define(
        "sql.comment_obfuscation",
        SQL_INJECTION,
        r"/\*!?\d*\s*(?:union|select|and|or|from|where)\b|\b(?:union|select|from|where|and|or)"
        r"/\*.{0,20}?\*/|\bas\s+\w+\s+where\s+\d+\s*=\s*\d+",
        Strength.FIRM,
        "/* as",
        "inline comments used to split SQL keywords",
        examples=("AS INJECTX WHERE 1=1 AND 1=1", "AS INJECTX WHERE 1=1 AND 1=0"),
        counterexamples=("same as last time", "Vocês guardam as nossas conversas?"),
    ),
    define(
        "sql.hex_literal",
        SQL_INJECTION,
        r"\b0x[0-9a-f]{6,}\b.{0,40}\b(?:select|union|from|where|and|or)\b|\b(?:select|union|where"
        r"|and|or|=)\s*0x[0-9a-f]{6,}\b",
        Strength.MEDIUM,
        "0x",
        "hex-encoded SQL literals",
        examples=(
            "(SELECT (CASE WHEN (4346=4346) THEN 0x61646d696e ELSE 0x28 END)) AND 'Txws'='",
            (
                "4523 FROM(SELECT COUNT(*),CONCAT(0x716a7a6a71,(SELECT "
                "(ELT(4523=4523,1))),0x71706a6b71,FLOOR(RAND(0)*2))x"
            ),
        ),
        counterexamples=(
            (
                "The crypto exchange gave me this tx hash: "
                "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
            ),
        ),
    ),
)
