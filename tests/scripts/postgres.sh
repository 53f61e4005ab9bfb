# Starts a private PostgreSQL cluster for the test run on a free port, owned by the 'postgres'
# OS user, and exports PARLEY_TEST_POSTGRES with a connection string to a fresh database.
start_postgres() {
  local dir=$1
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x "$bin/initdb" ]] || return 1
  PG_BIN=$bin
  PG_DIR=$dir
  rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"
  local as=(runuser -u postgres --)
  [[ $(id -u) -eq 0 ]] || as=()
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || return 1
  # The port may be taken, even by a client socket that the kernel gave it as an ephemeral port
  # (55432 is inside Linux's ephemeral range): try the next ones.
  local first=${PARLEY_PG_PORT:-55432}
  for PG_PORT in $(seq "$first" $((first + 9))); do
    if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null 2>&1; then
      break
    fi
    PG_PORT=
  done
  [[ -n "$PG_PORT" ]] || return 1
  export PARLEY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "[test.sh] PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $PG_PORT"
}

stop_postgres() {
  [[ -n "${PG_DIR:-}" ]] || return 0
  local as=(runuser -u postgres --)
  [[ $(id -u) -eq 0 ]] || as=()
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
}
