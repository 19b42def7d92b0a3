#!/usr/bin/env bash
# Executes every notebook under notebooks/ headless with the Java kernel, writing the outputs back into the notebook
# (so the committed notebooks show the results of their last run). Fails, naming the notebook and the cell, on the
# first cell that throws (nbconvert then leaves that notebook as it was).
#
#   notebooks/run-all.sh                  # every notebooks/*.ipynb, in name order
#   notebooks/run-all.sh notebooks/01-quick-start.ipynb ...
#
# Needs Debian's jupyter-nbconvert python3-nbclient python3-jupyter-client jupyter-core python3-ipykernel (.ci/run
# installs them). Builds target/distill4j.jar and target/lib/ when they are missing or older than the sources, and
# fetches the kernel (io.github.padreati:rapaio-jupyter-kernel, from Maven Central) into target/notebooks/.
# Everything Jupyter writes stays under target/notebooks/ (no home-directory changes): the kernel spec is found
# through JUPYTER_PATH=notebooks/jupyter.
#
# NOTEBOOK_CELL_TIMEOUT (seconds, default 1200) bounds one cell; the kernel gets 300 s to start (a loaded 2-core
# machine can take over a minute).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
kernel_version=3.0.1
work="$root/target/notebooks"
mkdir -p "$work"

for tool in jupyter java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run-all.sh: $tool is not installed (see .ci/run)" >&2; exit 2; }
done
jupyter nbconvert --version >/dev/null 2>&1 || { echo "run-all.sh: jupyter nbconvert is missing (Debian jupyter-nbconvert)" >&2; exit 2; }

# The project jar and its dependency folder, which the notebooks load with %jars
jar="$root/target/distill4j.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/target/lib" ] \
    || [ -n "$(find "$root/src/main" "$root/configs" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "building $jar and target/lib ..." >&2
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
fi

# The Java kernel: one self-contained jar from Maven Central (the local repository first, offline)
kernel_jar="$work/rapaio-jupyter-kernel.jar"
if [ ! -f "$kernel_jar" ]; then
  artifact="io.github.padreati:rapaio-jupyter-kernel:$kernel_version"
  (cd "$root" && { mvn -o -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" \
      -Dmdep.stripVersion=true 2>/dev/null \
    || mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" \
      -Dmdep.stripVersion=true; }) >&2
fi

export JUPYTER_PATH="$here/jupyter"
export JUPYTER_CONFIG_DIR="$work/config" JUPYTER_DATA_DIR="$work/data" JUPYTER_RUNTIME_DIR="$work/runtime"
export IPYTHONDIR="$work/ipython" RJK_MIMA_CACHE="$work/mima_cache"
mkdir -p "$JUPYTER_CONFIG_DIR" "$JUPYTER_DATA_DIR" "$JUPYTER_RUNTIME_DIR"
# the notebooks find the repository (jars, run folders) through this
export DISTILL4J_HOME="$root"

if [ $# -gt 0 ]; then
  notebooks=("$@")
else
  mapfile -t notebooks < <(find "$here" -maxdepth 1 -name '*.ipynb' | sort)
fi
[ ${#notebooks[@]} -gt 0 ] || { echo "run-all.sh: no notebooks" >&2; exit 2; }

# rapaio-jupyter-kernel 3.0.1 binds its shell socket before it installs its message handlers; a request that arrives
# in between (likely on a loaded machine: Jupyter sends kernel_info at once) kills its shell thread with a
# NullPointerException ("this.handlers" is null) and the kernel never answers, or leaves the shell silently unanswered.
# Seen here under load; such a start (the exception, or no shell message handled 90 s after binding) is stopped and
# retried (at most 5 starts) instead of waiting out the startup timeout.
execute() {
  local nb="$1" log="$2" attempt pid
  for attempt in 1 2 3 4 5; do
    jupyter nbconvert --to notebook --execute --inplace \
        --ExecutePreprocessor.kernel_name=distill4j-java \
        --ExecutePreprocessor.startup_timeout=300 \
        --ExecutePreprocessor.timeout="${NOTEBOOK_CELL_TIMEOUT:-1200}" \
        "$nb" >"$log" 2>&1 &
    pid=$!
    local bound=""
    while kill -0 "$pid" 2>/dev/null; do
      # the same race can also leave the shell silent: bound, yet no request handled a minute later
      if [ -z "$bound" ] && grep -q '\[ShellChannel\]: Binding' "$log" 2>/dev/null; then
        bound=$(date +%s)
      fi
      if grep -q 'because "this.handlers" is null' "$log" 2>/dev/null \
          || { [ -n "$bound" ] && [ $(( $(date +%s) - bound )) -gt 90 ] \
               && ! grep -q '\[ShellChannel\]: .*message' "$log" 2>/dev/null; }; then
        echo "   the kernel lost its first request (rapaio-jupyter-kernel start-up race): restarting it (start $attempt)" >&2
        # the kernel runs in a session of its own (jupyter_client starts it so): stop it by its parent
        kill $(pgrep -P "$pid") "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        continue 2
      fi
      sleep 2
    done
    wait "$pid"
    return $?
  done
  echo "   the kernel lost its first request 5 times" >&2
  return 1
}

for nb in "${notebooks[@]}"; do
  [ -f "$nb" ] || { echo "run-all.sh: no such notebook: $nb" >&2; exit 2; }
  start=$(date +%s)
  echo "== $nb" >&2
  log="$work/$(basename "$nb" .ipynb).log"
  # each notebook writes its runs and models under target/notebooks/<name>/: start from an empty one, so that the
  # committed outputs are those of a fresh run (no "replaces the model promoted there earlier" of the last run)
  rm -rf "${work:?}/$(basename "$nb" .ipynb)"
  if ! execute "$nb" "$log"; then
    # nbclient's CellExecutionError quotes the failing cell's source (nbconvert does not save a notebook that failed):
    # find that cell in the notebook to number it
    cell=$(/usr/bin/python3 - "$nb" "$log" <<'PY' || true
import json, re, sys
nb = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read()
m = re.search(r"An error occurred while executing the following cell:\n-+\n(.*?)\n-+\n", log, re.S)
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
for i, c in enumerate(code, 1):
    source = "".join(c["source"]).strip()
    if m and source == m.group(1).strip():
        print(f"code cell {i} of {len(code)}: {source.splitlines()[0]}")
        break
else:
    if m:
        print("the cell that starts: " + m.group(1).strip().splitlines()[0])
PY
)
    echo "run-all.sh: FAILED: $nb${cell:+, $cell}" >&2
    sed -n '/CellExecutionError\|Error\|Exception/,$p' "$log" | tail -40 >&2
    echo "(full log: $log)" >&2
    exit 1
  fi
  echo "   ok in $(( $(date +%s) - start )) s" >&2
done
echo "run-all.sh: ${#notebooks[@]} notebook(s) executed" >&2
