# Sourced by the bench scripts: a Python with networkx and python-igraph (the C library's
# breadth-first search, the floor beside the disruption benchmark), from a private
# virtualenv under target/ (PyPI is the only network access needed), unless the system
# Python has both.
if python3 -c 'import networkx, igraph' 2>/dev/null; then
  PYTHON=python3
else
  venv=target/bench-venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import networkx, igraph' 2>/dev/null ||
    "$venv/bin/pip" install -q 'networkx==3.4.2' 'igraph==0.11.9'
  PYTHON="$venv/bin/python"
fi
