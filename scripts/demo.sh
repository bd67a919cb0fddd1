#!/usr/bin/env bash
# Set up and run the example banking bot: train (cached), start the action server and the
# Rasa server on localhost, play a scripted conversation, shut down.
#   scripts/demo.sh                 scripted demo
#   scripts/demo.sh --interactive   leave the bot running and chat with it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec python -m example_bot.demo "$@"
