#!/bin/bash
# Sourced by the steps that download: every download and every apt operation is retried on all
# errors, with pauses that grow, for long enough to ride out a mirror that refuses or fails for
# several minutes (and Ubuntu's own apt timers holding apt's locks on a first boot).

# Downloads a URL to a file. curl's own backoff doubles from 1 s (1, 2, 4, … up to 10 minutes)
# and gives up after a quarter of an hour.
download() {
  curl -fsSL --connect-timeout 20 --retry 30 --retry-all-errors --retry-max-time 900 -o "$2" "$1"
}

# Runs apt-get with the given arguments until it succeeds: 10 tries, 15 s after the first
# failure, doubling up to 2 minutes (about a quarter of an hour in all). An install that a reset
# cut short (dpkg --audit lists it) is finished first, as apt refuses to run until it is.
apt_retry() {
  local pause=15
  for attempt in $(seq 1 10); do
    if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
      dpkg --configure -a || true
    fi
    if DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 \
      -o APT::Update::Error-Mode=any "$@"; then
      return 0
    fi
    [ "$attempt" -lt 10 ] || return 1
    echo "ztcs: apt-get $1 did not succeed (try $attempt of 10); trying again in $pause s" >&2
    sleep "$pause"
    pause=$((pause * 2 > 120 ? 120 : pause * 2))
  done
}
