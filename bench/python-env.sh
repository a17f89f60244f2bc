# Sourced by the bench scripts: a Python with networkx, from a private virtualenv under
# target/ (PyPI is the only network access needed), unless the system Python has it.
if python3 -c 'import networkx' 2>/dev/null; then
  PYTHON=python3
else
  venv=target/bench-venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import networkx' 2>/dev/null || "$venv/bin/pip" install -q 'networkx==3.4.2'
  PYTHON="$venv/bin/python"
fi
