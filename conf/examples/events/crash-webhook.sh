#!/bin/sh
# An event_command for Baton: posts every worker crash (and a worker Baton gave up on) to a webhook.
#
#   [baton]
#   event_command = "sh /usr/share/baton/examples/events/crash-webhook.sh"
#
# with the webhook's address in Baton's environment, e.g. for the systemd service (systemctl edit baton):
#
#   [Service]
#   Environment=WEBHOOK_URL=https://hooks.example.com/baton
#
# Baton runs it once per event, one at a time, with the event's name in BATON_EVENT and the event as one line
# of JSON on standard input (docs/events.md lists the fields). Other events are ignored. The JSON is posted
# as it is; a chat webhook that wants {"text": "..."} needs it wrapped first (docs/events.md shows how).
# A nonzero exit (curl -f: the webhook answered 4xx/5xx or did not answer within 5 s) is counted by Baton and
# logged at most once a minute.
set -eu

case "${BATON_EVENT:-}" in
    exited|fatal) ;;
    *) exit 0 ;;
esac

exec curl -fsS -m 5 -H 'Content-Type: application/json' --data-binary @- "$WEBHOOK_URL"
