#!/usr/bin/env bash
# Set up and run the example banking bot: train (cached), start the action server and the
# Rasa server on localhost, play a scripted conversation, shut down.
#   scripts/demo.sh                 scripted demo
#   scripts/demo.sh --interactive   leave the bot running and chat with it, in the terminal
#                                   or on the web page it prints (http://127.0.0.1:<port>/web/)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
# Rasa 3.6 sends telemetry (usage events, error reports) by default; nothing may leave the
# deployment, so the example bot runs with it off (rasa_secure warns at start-up otherwise).
export RASA_TELEMETRY_ENABLED=false
exec python -m example_bot.demo "$@"
