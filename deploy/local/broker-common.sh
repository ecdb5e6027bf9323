# Shared by deploy/local/kafka and deploy/local/rocketmq (sourced, not run): jar caching outside
# the checkout, background JVMs with pid files, port probes, and failure reports with the log tail.
# shellcheck shell=bash

LIVEPIPE_CACHE_DIR=${LIVEPIPE_CACHE:-$HOME/.cache/livepipe}
LIVEPIPE_STATE_DIR=${LIVEPIPE_STATE:-$HOME/.cache/livepipe/state}

# Reads <name>value</name> from a pom's <properties>, so the version lives in one place.
pom_property() {
  local pom=$1 name=$2 value
  value=$(sed -n "s:.*<$name>\\(.*\\)</$name>.*:\\1:p" "$pom" | head -n 1)
  if [[ -z "$value" ]]; then
    echo "no <$name> property in $pom" >&2
    exit 1
  fi
  echo "$value"
}

require_java() {
  if ! command -v java >/dev/null 2>&1; then
    echo "java is not on PATH; install a JDK 17 or newer (Debian: apt-get install -y openjdk-17-jre-headless)." >&2
    exit 1
  fi
}

# Copies the pom's runtime jars into lib once; the pom's checksum marks a complete download, so a
# changed version fetches again and an interrupted download never looks complete.
fetch_jars() {
  local pom=$1 lib=$2 what=$3 stamp sum
  stamp="$lib/.pom.sha256"
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    return 0
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    echo "$what: mvn is not on PATH; install Apache Maven (Debian: apt-get install -y maven) to fetch the jars." >&2
    exit 1
  fi
  local partial="$lib.partial.$$"
  rm -rf "$partial"
  mkdir -p "$(dirname "$lib")"
  echo "$what: fetching jars with Maven into $lib (once; later starts reuse them)"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$partial" >"$partial.log" 2>&1; then
    echo "$what: Maven could not fetch the jars listed in $pom:" >&2
    tail -n 40 "$partial.log" >&2
    rm -rf "$partial"
    exit 1
  fi
  rm -f "$partial.log"
  echo "$sum" >"$partial/.pom.sha256"
  rm -rf "$lib"
  mv "$partial" "$lib"
}

port_open() {
  local host=$1 port=$2
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# True when the pid file names a live JVM started by these scripts: its command line names the
# pid file's state folder, so a stale file whose pid now belongs to another process (another JVM
# included) does not count, and stop never signals it.
pid_alive() {
  local pid_file=$1 pid
  [[ -f "$pid_file" ]] || return 1
  pid=$(cat "$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(dirname "$pid_file")/"
}

# Starts a command in its own session so it outlives the shell (and the npm script) that ran it.
start_daemon() {
  local pid_file=$1 log_file=$2
  shift 2
  setsid nohup "$@" >>"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
}

# Stops the process in pid_file: TERM, then KILL after grace_s. Returns 1 when nothing was running.
stop_daemon() {
  local pid_file=$1 grace_s=$2 pid
  if ! pid_alive "$pid_file"; then
    rm -f "$pid_file"
    return 1
  fi
  pid=$(cat "$pid_file")
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace_s))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.3
  done
  rm -f "$pid_file"
  return 0
}

fail_with_log() {
  local what=$1 reason=$2 log_file=$3 pid_file=$4
  echo "$what: $reason. Last 40 lines of $log_file:" >&2
  tail -n 40 "$log_file" >&2 || true
  rm -f "$pid_file"
  exit 1
}
