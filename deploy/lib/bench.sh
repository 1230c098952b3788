# Helpers the bench scripts share; source after setting `root`.

# The median of the numbers on stdin, one per line (the mean of the middle two for an even count; 0 for none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Stops what the script started and recorded in its `pids` array (pids+=("${pid}")), at exit or on failure:
# SIGNAL (default TERM) to each that still runs, then waits for it.
stop_started() { # [signal]
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then kill -"${1:-TERM}" "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; fi
  done
}

# A TCP port on 127.0.0.1 nobody holds right now (the kernel's choice).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until FILE has a line matching PATTERN (a server's "serving" line), at most TIMEOUT_S seconds, while PID
# lives; says why on stderr, naming the calling script, and returns 1 otherwise.
wait_log() { # file pattern timeout_s pid
  local i me; me="$(basename "$0" .sh)"
  for i in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { echo "${me}: process exited:" >&2; tail -5 "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "${me}: no '$2' in $1 after $3 s" >&2; return 1
}

# Waits until 127.0.0.1:PORT accepts a TCP connection, at most TIMEOUT_S seconds; says so on stderr and returns 1
# otherwise.
wait_port() { # port timeout_s
  for _ in $(seq 1 $(( $2 * 10 ))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: server on port $1 did not come up" >&2; return 1
}

# Starts one server of a memory-budget comparison on 127.0.0.1:PORT, logging to LOG: wirekv (one lcore, colocated)
# with --memory MIB, or memcached -t 1 -m MIB; sets server_pid and waits up to WAIT_S seconds for the port.
start_budget_server() { # wirekv|memcached port mib instance log wait_s
  if [[ "$1" == wirekv ]]; then
    "${root}/deploy/wirekv" serve --instance "$4" --listen 127.0.0.1 --port "$2" --lcores 1 \
      --tcp-threads 1 --writers 1 --colocate --idle backoff --memory "$3m" > "$5" 2>&1 &
  else
    memcached -u root -l 127.0.0.1 -p "$2" -U 0 -t 1 -m "$3" > "$5" 2>&1 &
  fi
  server_pid=$!
  wait_port "$2" "$6"
}

# A scratch folder (${work}: mktemp -d with these arguments) and the one server the script runs at a time
# (${server_pid}, as start_budget_server sets it): both gone when the script exits, normally, on an error or on Ctrl-C.
scratch_with_server_cleanup() {
  work="$(mktemp -d "$@")"
  server_pid=""
  trap '[[ -n "${server_pid}" ]] && kill "${server_pid}" 2>/dev/null && wait "${server_pid}" 2>/dev/null; rm -rf "${work}"' EXIT
}

# Stops what start_budget_server started.
stop_budget_server() { kill "${server_pid}"; wait "${server_pid}" 2>/dev/null || true; server_pid=""; }
